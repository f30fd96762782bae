// Smoke e2e of the runner harness with the probe action (test/probe): inputs, outputs, summary, state,
// post, cancellation and dispatch-following behave like the GitHub Actions runner.
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGitWorld, type GitWorld } from './git.js';
import { exampleRepository } from './runner/dispatch.js';
import { type RunOptions, type RunResult, runAction, runUntilQuiet, startAction } from './runner.js';
import type { DispatchRecord, RunHost, RunInfo } from './types.js';

const PROBE = fileURLToPath(new URL('../probe', import.meta.url));
const TOKEN = 'ghs_runnerProbeToken0000000000000001';
const FAST = { termAfterMs: 300, killAfterMs: 200 };

/** A RunHost plus the one GitHub route the probe calls, on loopback. */
class TinyGitHub implements RunHost {
  runs = new Map<number, RunInfo & { conclusion?: string }>();
  dispatches: DispatchRecord[] = [];
  cancels = new Set<number>();
  private nextId = 501;
  server: Server = createServer((req, res) => {
    const match = /^\/repos\/([^/]+)\/([^/]+)\/dispatches$/.exec(req.url ?? '');
    if (req.method !== 'POST' || !match) return void res.writeHead(404).end('{"message":"Not Found"}');
    if (req.headers.authorization !== `Bearer ${TOKEN}`)
      return void res.writeHead(401).end('{"message":"Bad"}');
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      const { event_type, client_payload } = JSON.parse(body);
      this.dispatches.push({
        owner: match[1],
        repo: match[2],
        event_type,
        client_payload: client_payload ?? {},
      });
      res.writeHead(204).end();
    });
  });

  async listen(): Promise<string> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(() => r()));
  }
  startRun(info: RunInfo): number {
    const id = this.nextId++;
    this.runs.set(id, { ...info });
    return id;
  }
  finishRun(runId: number, conclusion: 'success' | 'failure' | 'cancelled'): void {
    const run = this.runs.get(runId);
    if (run) run.conclusion = conclusion;
  }
  takeDispatches(): DispatchRecord[] {
    return this.dispatches.splice(0);
  }
  cancelRequested(runId: number): boolean {
    return this.cancels.has(runId);
  }
}

let root: string;
let world: GitWorld;
let github: TinyGitHub;
let apiUrl: string;
const mintedTokens: Array<{ ref: string; mode: string }> = [];

beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'runner-e2e-'));
  world = await createGitWorld({ root, owner: 'octo-org', repo: 'sample', token: TOKEN });
  github = new TinyGitHub();
  apiUrl = await github.listen();
  mintedTokens.length = 0;
});

afterEach(async () => {
  await github.close();
  await rm(root, { recursive: true, force: true });
});

function issuesEvent(): Record<string, unknown> {
  return {
    action: 'labeled',
    issue: { number: 1, title: 'Say hi' },
    label: { name: 'pilot' },
    repository: exampleRepository('octo-org', 'sample', 'main'),
    sender: { login: 'octocat', type: 'User' },
  };
}

async function options(extra: Partial<RunOptions> = {}): Promise<RunOptions> {
  return {
    action: PROBE,
    eventName: 'issues',
    payload: issuesEvent(),
    repository: 'octo-org/sample',
    token: TOKEN,
    workspace: world.workspace,
    runnerTemp: world.runnerTemp,
    sha: await world.headSha(),
    apiUrl,
    resultsUrl: 'http://127.0.0.1:9/results',
    cacheTokenFor: (scope) => {
      mintedTokens.push(scope);
      return `runtime-${scope.mode}-${scope.ref}`;
    },
    cancelTiming: FAST,
    ...extra,
  };
}

interface PostReport {
  ran: boolean;
  state: Record<string, string>;
  mainFinished: boolean;
  fromMainEnv: string | null;
  grandchildAlive: boolean | null;
}

function postReport(result: RunResult): PostReport {
  const line = result.post?.stdout.split('\n').find((l) => l.startsWith('PROBE_POST '));
  if (!line) throw new Error(`post printed no report:\n${result.post?.stdout}${result.post?.stderr}`);
  return JSON.parse(line.slice('PROBE_POST '.length));
}

/** Resolves once the probe's main has installed its signal handlers and is about to sleep. */
async function probeReady(runnerTemp: string, runId: number): Promise<void> {
  const file = path.join(runnerTemp, `probe-ready-${runId}`);
  while (!existsSync(file)) await new Promise((r) => setTimeout(r, 20));
}

const signalsReceived = (result: RunResult) =>
  readFileSync(result.outputs['signal-log'], 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split(' ')[0]);

describe('runner harness: inputs, outputs and environment', () => {
  it('gives the action its inputs: defaults, the evaluated token, given values, hyphens and spaces', async () => {
    const result = await runAction(await options({ inputs: { greeting: 'Howdy', 'sleep-ms': '0' } }));

    expect(result.exitCode).toBe(0);
    expect(result.outputs.greeting).toBe('Howdy');
    expect(result.outputs.token).toBe(TOKEN);
    expect(result.outputs.who).toBe('probe');
    expect(result.outputs['input-names'].split(',')).toEqual(
      expect.arrayContaining([
        'INPUT_TOKEN',
        'INPUT_WHO_AM_I',
        'INPUT_SLEEP-MS',
        'INPUT_DISPATCH-EVENT-TYPE',
      ]),
    );
  });

  it('reads outputs in both file formats and joins main and post summaries', async () => {
    const result = await runAction(await options());

    expect(result.outputs.multiline).toBe('first line\nsecond line');
    expect(result.outputs.cwd).toBe(world.workspace);
    expect(result.summary).toContain('### Probe main\nHello from run');
    expect(result.summary).toContain('### Probe post\npost ran');
    expect(result.summary.indexOf('Probe main')).toBeLessThan(result.summary.indexOf('Probe post'));
  });

  it('sets the runner environment for an issues event, with a read-only cache token', async () => {
    const result = await runAction(await options());

    expect(result.outputs['github-event-name']).toBe('issues');
    expect(result.outputs['github-ref']).toBe('refs/heads/main');
    expect(result.outputs['github-sha']).toBe(await world.headSha());
    expect(result.outputs['github-repository']).toBe('octo-org/sample');
    expect(result.outputs['github-run-id']).toBe(String(result.runId));
    expect(result.outputs['github-workspace']).toBe(world.workspace);
    expect(result.outputs['actions-cache-mode']).toBe('read');
    expect(result.outputs['actions-runtime-token']).toBe('runtime-read-refs/heads/main');
    expect(result.outputs['actions-results-url']).toBe('http://127.0.0.1:9/results');
    expect(mintedTokens).toEqual([{ ref: 'refs/heads/main', mode: 'read' }]);
    expect(JSON.parse(result.outputs.event)).toMatchObject({ action: 'labeled', issue: { number: 1 } });
    expect(result.env).toMatchObject({
      GITHUB_ACTIONS: 'true',
      CI: 'true',
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_API_URL: apiUrl,
      GITHUB_ACTOR: 'octocat',
      RUNNER_TEMP: world.runnerTemp,
      RUNNER_OS: 'Linux',
      ACTIONS_CACHE_SERVICE_V2: 'True',
    });
    expect(result.env.RUNNER_TRACKING_ID).toMatch(/^github_/);
  });

  it('runs pull_request_review events on the PR merge ref', async () => {
    const payload = { action: 'submitted', pull_request: { number: 7, head: { ref: 'pilot/issue-1' } } };
    const result = await runAction(await options({ eventName: 'pull_request_review', payload }));

    expect(result.outputs['github-ref']).toBe('refs/pull/7/merge');
    expect(result.outputs['actions-cache-mode']).toBe('read');
  });

  it("keeps the test process's environment out of the action", async () => {
    process.env.LEAKY_TEST_SECRET = 'do-not-pass';
    try {
      const result = await runAction(await options({ extraEnv: { PROBE_EXTRA: 'passed' } }));
      const names = result.outputs['env-names'].split(',');
      expect(names).not.toContain('LEAKY_TEST_SECRET');
      expect(names).not.toContain('VITEST');
      expect(names).toContain('PROBE_EXTRA');
      expect(names).toContain('PATH');
    } finally {
      delete process.env.LEAKY_TEST_SECRET;
    }
  });

  it('turns workflow commands into annotations and masks the token in the log', async () => {
    const result = await runAction(await options());

    expect(result.annotations).toEqual([
      { level: 'warning', title: 'Probe warning', message: 'careful\nnext line' },
      { level: 'notice', message: 'probe main started' },
    ]);
    expect(result.stdout).toContain(`token in the log: ${TOKEN}`);
    expect(result.log).toContain('token in the log: ***');
    expect(result.log).not.toContain(TOKEN);
  });
});

describe('runner harness: state and post', () => {
  it('carries state and exported env from main to post', async () => {
    const result = await runAction(await options({ inputs: { greeting: 'Hi' } }));

    expect(result.state).toMatchObject({ started: 'true', greeting: 'Hi', finished: 'true' });
    expect(result.postRan).toBe(true);
    expect(result.postExitCode).toBe(0);
    expect(result.conclusion).toBe('success');
    const post = postReport(result);
    expect(post.state).toMatchObject({
      greeting: 'Hi',
      notes: 'kept for post\nacross two lines',
      finished: 'true',
    });
    expect(post.fromMainEnv).toBe('set-by-main');
    expect(post.mainFinished).toBe(true);
  });

  it('runs post after a failing main and reports the failure', async () => {
    const result = await runAction(await options({ inputs: { fail: 'true' } }));

    expect(result.exitCode).toBe(1);
    expect(result.annotations).toContainEqual({ level: 'error', message: 'probe failed as asked' });
    expect(result.postRan).toBe(true);
    expect(postReport(result).mainFinished).toBe(false);
    expect(result.conclusion).toBe('failure');
  });

  it('skips post when its post-if says so', async () => {
    const action = path.join(root, 'probe-success-only');
    await cp(PROBE, action, { recursive: true });
    const yml = await readFile(path.join(action, 'action.yml'), 'utf8');
    await writeFile(path.join(action, 'action.yml'), yml.replace('post-if: always()', 'post-if: success()'));

    const failed = await runAction(await options({ action, inputs: { fail: 'true' } }));
    expect(failed.postRan).toBe(false);
    expect(failed.postExitCode).toBeNull();

    const passed = await runAction(await options({ action }));
    expect(passed.postRan).toBe(true);
  });
});

describe('runner harness: cancellation', () => {
  it('sends SIGINT first and runs post when main stops on it', async () => {
    const run = startAction(await options({ inputs: { 'sleep-ms': '60000' } }));
    await probeReady(world.runnerTemp, run.runId);
    run.cancel();
    const result = await run.result;

    expect(result.cancelled).toBe(true);
    expect(result.conclusion).toBe('cancelled');
    expect(result.signals.map((s) => s.signal)).toEqual(['SIGINT']);
    expect(signalsReceived(result)).toEqual(['SIGINT']);
    expect(result.exitCode).toBe(130);
    const post = postReport(result);
    expect(post.mainFinished).toBe(false);
    expect(post.state.interrupted).toBe('SIGINT');
  });

  it('escalates to SIGTERM and then kills the whole process group, grandchild included', async () => {
    const run = startAction(
      await options({
        inputs: { 'sleep-ms': '60000', 'ignore-signals': 'true', 'spawn-grandchild': 'true' },
      }),
    );
    await probeReady(world.runnerTemp, run.runId);
    run.cancel();
    const result = await run.result;

    expect(result.signals.map((s) => s.signal)).toEqual(['SIGINT', 'SIGTERM', 'SIGKILL']);
    const [int, term, kill] = result.signals.map((s) => s.atMs);
    // Node timers may fire up to a millisecond early; the delays are lower bounds.
    expect(term - int).toBeGreaterThanOrEqual(FAST.termAfterMs - 2);
    expect(kill - term).toBeGreaterThanOrEqual(FAST.killAfterMs - 2);
    expect(signalsReceived(result)).toEqual(['SIGINT', 'SIGTERM']);
    expect(result.main.signal).toBe('SIGKILL');
    expect(result.exitCode).toBeNull();
    expect(result.conclusion).toBe('cancelled');
    const post = postReport(result);
    expect(post.grandchildAlive).toBe(false);
    expect(post.mainFinished).toBe(false);
  });

  it('cancels when GitHub says the run was cancelled, and after cancelAfterMs', async () => {
    const byHost = startAction(await options({ host: github, inputs: { 'sleep-ms': '60000' } }));
    await probeReady(world.runnerTemp, byHost.runId);
    github.cancels.add(byHost.runId);
    const hostResult = await byHost.result;
    expect(hostResult.signals.map((s) => s.signal)).toEqual(['SIGINT']);
    expect(github.runs.get(byHost.runId)?.conclusion).toBe('cancelled');

    const timed = await runAction(await options({ cancelAfterMs: 1500, inputs: { 'sleep-ms': '60000' } }));
    expect(timed.cancelled).toBe(true);
    expect(timed.main.cancelledAtMs).toBeGreaterThanOrEqual(1500 - 2);
  });

  it("uses the runner's real 7.5 s and 2.5 s delays by default", async () => {
    const run = startAction(
      await options({ cancelTiming: undefined, inputs: { 'sleep-ms': '60000', 'ignore-signals': 'true' } }),
    );
    await probeReady(world.runnerTemp, run.runId);
    run.cancel();
    const result = await run.result;

    const [int, term, kill] = result.signals.map((s) => s.atMs);
    expect(result.signals.map((s) => s.signal)).toEqual(['SIGINT', 'SIGTERM', 'SIGKILL']);
    expect(term - int).toBeGreaterThanOrEqual(7500 - 2);
    expect(kill - term).toBeGreaterThanOrEqual(2500 - 2);
    expect(result.postRan).toBe(true);
  }, 20_000);
});

describe('runner harness: following dispatches', () => {
  it('starts a repository_dispatch run, with a writable cache, for each dispatch a run makes', async () => {
    const second = await options();
    const first = await options({
      inputs: { 'dispatch-event-type': 'pilot', 'dispatch-payload': '{"issue":1,"intent":"run"}' },
    });
    const results = await runUntilQuiet(first, github, (d) =>
      d.event_type === 'pilot' ? { ...second, inputs: { greeting: 'from dispatch' } } : null,
    );

    expect(results).toHaveLength(2);
    const [gate, work] = results;
    expect(gate.outputs['dispatch-status']).toBe('204');
    expect(work.runId).not.toBe(gate.runId);
    expect(work.outputs['github-event-name']).toBe('repository_dispatch');
    expect(work.outputs['github-ref']).toBe('refs/heads/main');
    expect(work.outputs['actions-cache-mode']).toBe('write');
    expect(work.outputs['actions-runtime-token']).toBe('runtime-write-refs/heads/main');
    expect(work.outputs.greeting).toBe('from dispatch');
    const event = JSON.parse(work.outputs.event);
    expect(event).toMatchObject({
      action: 'pilot',
      branch: 'main',
      client_payload: { issue: 1, intent: 'run' },
      repository: { full_name: 'octo-org/sample', default_branch: 'main' },
      sender: { login: 'github-actions[bot]', type: 'Bot' },
    });
    expect([...github.runs.entries()]).toEqual([
      [gate.runId, expect.objectContaining({ event: 'issues', headBranch: 'main', conclusion: 'success' })],
      [work.runId, expect.objectContaining({ event: 'repository_dispatch', conclusion: 'success' })],
    ]);
  });

  it('starts no run for a dispatch no workflow listens to', async () => {
    const first = await options({ inputs: { 'dispatch-event-type': 'something-else' } });
    const results = await runUntilQuiet(first, github, (d) => (d.event_type === 'pilot' ? first : null));
    expect(results).toHaveLength(1);
    expect(github.dispatches).toEqual([]);
  });

  it('stops a run that dispatches itself forever', async () => {
    const looping = await options({ inputs: { 'dispatch-event-type': 'pilot' } });
    await expect(runUntilQuiet(looping, github, () => looping, { maxRuns: 3 })).rejects.toThrow(
      /more than 3 runs/,
    );
    expect(github.runs.size).toBe(3);
  });
});
