// The whole local world wired together: GitHub emulator, cache service, scripted model, git origin and
// workspace, and the runner harness running Pilot's dist/ like a workflow would. Tests and
// `npm run demo` use it; nothing here is bundled into dist/.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadExamples, type Payload } from '../events/webhook-examples.js';
import { type CacheService, startCacheService } from './cache/index.js';
import { createGitWorld, type GitWorld } from './git.js';
import { type GitHubEmulator, startGitHub } from './github/index.js';
import * as shapes from './github/shapes.js';
import {
  CLAUDE_BIN,
  FAKE_API_KEY,
  type ModelScript,
  type ModelServer,
  type ModelServerOptions,
  startModel,
} from './model/index.js';
import { type RunOptions, type RunResult, runUntilQuiet } from './runner.js';
import { WORLD_STATE_KEY } from './state-key.js';
import type { DispatchRecord, RunHost } from './types.js';

export { sealedMarker, signedPayload, taskIn, WORLD_STATE_KEY } from './state-key.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const OWNER = 'octo-org';
export const REPO = 'sample';

export interface WorldOptions {
  script?: ModelScript;
  /** What the model answers requests outside the agent loop (CLI helpers, Pilot's self-review and lesson distilling). */
  sideAnswer?: ModelServerOptions['sideAnswer'];
  /** While it returns an error the model API's probe (`GET /v1/models`) fails with it. */
  outage?: ModelServerOptions['outage'];
  files?: Record<string, string>;
  inputs?: Record<string, string>;
  credentials?: 'v6' | 'legacy' | 'none';
  /** Each run (dispatched ones too) gets its own fresh clone and RUNNER_TEMP, like separate runners. */
  workspacePerRun?: boolean;
  /** Folder with the action.yml and dist/ to run (default: this repository). */
  action?: string;
}

export interface World {
  gh: GitHubEmulator;
  cache: CacheService;
  model: ModelServer;
  git: GitWorld;
  dir: string;
  /** Runs one event and every run its dispatches start, like GitHub would. */
  run(eventName: string, payload: Payload, opts?: Partial<RunOptions>): Promise<RunResult[]>;
  labelEvent(issue: number, label: string, sender: string): Payload;
  commentEvent(issue: number, body: string, sender: string): Payload;
  dispatchEvent(inputs: Record<string, string>, sender: string): Payload;
  /** Comments written by Pilot (the Actions bot) on an issue. */
  pilotComments(issue: number): Array<{ id: number; body: string; history: unknown[] }>;
  close(): Promise<void>;
}

function example(event: string, action: string | undefined): Payload {
  const found = loadExamples().find((e) => e.event === event && e.payload.action === action);
  if (!found) throw new Error(`no ${event}.${action} example in @octokit/webhooks-examples`);
  return found.payload;
}

function repoOf(gh: GitHubEmulator) {
  const repo = gh.state.repo(OWNER, REPO);
  if (!repo) throw new Error(`the world has no ${OWNER}/${REPO}`);
  return repo;
}

function withRepository(payload: Payload, gh: GitHubEmulator): Payload {
  payload.repository = { ...payload.repository, ...shapes.repoJson(gh.state, repoOf(gh)) };
  payload.organization = undefined;
  payload.installation = undefined;
  return payload;
}

function userPayload(gh: GitHubEmulator, login: string): Payload {
  const u = gh.addUser(login);
  return { login: u.login, id: u.id, type: u.type, node_id: `U_${u.id}` };
}

function issuePayload(gh: GitHubEmulator, n: number): Payload {
  return shapes.issueJson(gh.state, repoOf(gh), gh.issue(OWNER, REPO, n));
}

let clones = 0;

/**
 * A view of the host for one `world.run` call: it follows the dispatches its own gate runs made
 * (`client_payload.gate_run_id`) and any without a gate, so concurrent calls run their work in
 * parallel instead of one call collecting every dispatch and running them one after another.
 */
function ownDispatches(gh: GitHubEmulator, pool: DispatchRecord[]): RunHost {
  const mine = new Set<number>();
  return {
    startRun: (info) => {
      const id = gh.startRun(info);
      mine.add(id);
      return id;
    },
    finishRun: (id, conclusion) => gh.finishRun(id, conclusion),
    cancelRequested: (id) => gh.cancelRequested(id),
    takeDispatches: () => {
      pool.push(...gh.takeDispatches());
      const taken = pool.filter((d) => {
        const gate = d.client_payload.gate_run_id;
        return typeof gate !== 'number' || mine.has(gate);
      });
      for (const d of taken) pool.splice(pool.indexOf(d), 1);
      return taken;
    },
  };
}

/**
 * A fresh runner for one run: a depth-1 clone of origin's default branch (as checkout leaves it,
 * without persisted credentials) and its own RUNNER_TEMP. Synchronous because the harness asks for a
 * dispatched run's options synchronously.
 */
export function cloneWorkspace(git: GitWorld, dir: string): { workspace: string; runnerTemp: string } {
  const root = path.join(dir, 'runners', String(++clones));
  const workspace = path.join(root, 'work', REPO, REPO);
  const runnerTemp = path.join(root, 'work', '_temp');
  mkdirSync(runnerTemp, { recursive: true });
  const env = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' };
  execFileSync(
    'git',
    ['clone', '--quiet', '--depth=1', '--branch', git.defaultBranch, git.originUrl, workspace],
    { env, stdio: 'ignore' },
  );
  return { workspace, runnerTemp };
}

export async function startWorld(opts: WorldOptions = {}): Promise<World> {
  const action = opts.action ?? ROOT;
  if (!existsSync(path.join(action, 'dist/main/index.js')))
    throw new Error('dist/ is missing: run `npm run package` first');
  const dir = mkdtempSync(path.join(tmpdir(), 'pilot-world-'));
  const cache = await startCacheService();
  const gh = await startGitHub({
    cacheEntries: { listEntries: () => cache.listEntries(), deleteEntry: (id) => cache.deleteEntry(id) },
  });
  // The workspace holds the same token checkout would have persisted: the run's GITHUB_TOKEN.
  const git = await createGitWorld({
    root: dir,
    owner: OWNER,
    repo: REPO,
    token: gh.token,
    files: opts.files,
    credentials: opts.credentials ?? 'v6',
  });
  gh.setRefResolver((_o, _r, ref) => {
    try {
      return execFileSync('git', ['rev-parse', '--verify', '--quiet', `refs/heads/${ref}`], {
        cwd: git.origin,
      })
        .toString()
        .trim();
    } catch {
      return undefined;
    }
  });
  gh.addRepo({ owner: OWNER, repo: REPO, ownerType: 'Organization', defaultBranchSha: await git.headSha() });
  const model = await startModel(opts.script ?? [], { sideAnswer: opts.sideAnswer, outage: opts.outage });
  const pool: DispatchRecord[] = [];
  const inputs = {
    'anthropic-api-key': FAKE_API_KEY,
    'anthropic-base-url': model.url,
    'claude-path': CLAUDE_BIN,
    'max-turns': '10',
    // Every Pilot job gets the state key, as the reusable workflow and the templates pass it.
    'pilot-state-key': WORLD_STATE_KEY,
    ...opts.inputs,
  };
  const base = async (): Promise<Omit<RunOptions, 'eventName' | 'payload'>> => ({
    action,
    repository: `${OWNER}/${REPO}`,
    token: gh.token,
    workspace: git.workspace,
    runnerTemp: git.runnerTemp,
    sha: await git.headSha(),
    apiUrl: gh.url,
    resultsUrl: cache.url,
    cacheTokenFor: ({ ref, mode }) => cache.tokenFor({ ref, mode }),
    node: process.execPath,
    inputs,
  });
  return {
    gh,
    cache,
    model,
    git,
    dir,
    async run(eventName, payload, extra = {}) {
      const own = () => (opts.workspacePerRun ? cloneWorkspace(git, dir) : {});
      const first = { ...(await base()), eventName, payload, host: gh, ...own(), ...extra };
      return runUntilQuiet(first, ownDispatches(gh, pool), (d) =>
        d.event_type === 'pilot' ? { ...first, ...own(), ...extra } : null,
      );
    },
    labelEvent(issue, label, sender) {
      const p = withRepository(structuredClone(example('issues', 'labeled')), gh);
      p.issue = issuePayload(gh, issue);
      p.label = { ...p.label, name: label };
      p.sender = userPayload(gh, sender);
      gh.addLabel(OWNER, REPO, issue, label, sender);
      return p;
    },
    commentEvent(issue, body, sender) {
      const p = withRepository(structuredClone(example('issue_comment', 'created')), gh);
      const comment = gh.addComment(OWNER, REPO, issue, { body, user: sender }) as unknown as Payload;
      p.issue = issuePayload(gh, issue);
      p.comment = { ...p.comment, ...comment, user: userPayload(gh, sender) };
      p.sender = userPayload(gh, sender);
      return p;
    },
    dispatchEvent(inputs, sender) {
      const p = withRepository(structuredClone(example('workflow_dispatch', undefined)), gh);
      p.inputs = inputs;
      p.ref = 'refs/heads/main';
      p.sender = userPayload(gh, sender);
      return p;
    },
    pilotComments(issue) {
      return gh.comments(OWNER, REPO, issue).filter((c) => c.user.login === 'github-actions[bot]');
    },
    async close() {
      await Promise.all([gh.close(), cache.close(), model.close()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
