// The runner harness: runs a JavaScript action's main and post steps the way the GitHub Actions runner
// does (environment, file commands, state, post-if, cancellation signals), and follows the
// repository_dispatch events a run creates the way GitHub starts new runs for them.
import { randomUUID } from 'node:crypto';
import { chown, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  type ActionDefinition,
  evaluateDefault,
  evaluatePostIf,
  inputEnvName,
  loadAction,
} from './runner/action-yml.js';
import {
  actorOf,
  type CacheMode,
  cacheModeFor,
  defaultBranchOf,
  headBranchFor,
  refFor,
} from './runner/context.js';
import { repositoryDispatchPayload } from './runner/dispatch.js';
import {
  type Annotation,
  maskSecrets,
  parseKeyValueFile,
  parsePathFile,
  parseWorkflowCommands,
} from './runner/file-commands.js';
import { describeLeftovers, findLeftovers } from './runner/leftovers.js';
import {
  type CancelTiming,
  RUNNER_CANCEL_TIMING,
  type RunningStep,
  type SignalSent,
  type StepOutcome,
  spawnStep,
} from './runner/process.js';
import type { DispatchRecord, RunHost } from './types.js';

export { type CacheMode, cacheModeFor } from './runner/context.js';
export { GITHUB_ACTIONS_BOT, repositoryDispatchPayload } from './runner/dispatch.js';
export type { Annotation } from './runner/file-commands.js';
export type { CancelTiming, SignalSent, StepOutcome } from './runner/process.js';
export { RUNNER_CANCEL_TIMING } from './runner/process.js';

/** The user a step runs as, when it is not the test's own (the runner's `runner`, uid 1001). */
export interface StepUser {
  uid: number;
  gid: number;
}

export interface RunOptions {
  /** Folder holding the action's `action.yml` (e.g. the repository root for Pilot, test/probe). */
  action: string;
  eventName: string;
  payload: Record<string, unknown>;
  /** `owner/repo`. */
  repository: string;
  /** What `${{ github.token }}` evaluates to. */
  token: string;
  workspace: string;
  runnerTemp: string;
  /** GITHUB_SHA (for default-branch events, the default branch's head). */
  sha: string;
  /** GITHUB_API_URL, e.g. the GitHub emulator's base URL. */
  apiUrl: string;
  graphqlUrl?: string;
  /** The step's `with:`; declared inputs missing here get their action.yml default. */
  inputs?: Record<string, string>;
  /** Overrides the ref derived from the event. */
  ref?: string;
  /** Used when the payload has no repository.default_branch. */
  defaultBranch?: string;
  /** With a host and no runId the harness registers the run (`startRun`/`finishRun`). */
  host?: RunHost;
  runId?: number;
  runAttempt?: number;
  runNumber?: number;
  workflow?: string;
  job?: string;
  actor?: string;
  toolCache?: string;
  /** ACTIONS_RESULTS_URL (the cache service). */
  resultsUrl?: string;
  /** Mints ACTIONS_RUNTIME_TOKEN for the run's cache scope and mode. */
  cacheTokenFor?: (scope: { ref: string; mode: CacheMode }) => string;
  /** Overrides the mode derived from the event's trust. */
  cacheMode?: CacheMode;
  /** Added to the step environment (which otherwise holds only PATH, HOME, LANG from the test process). */
  extraEnv?: Record<string, string>;
  /** Cancels the run this long after main started. */
  cancelAfterMs?: number;
  /** Cancels the run when aborted. */
  signal?: AbortSignal;
  /** Shorter delays for fast tests; the runner's 7.5 s / 2.5 s by default. */
  cancelTiming?: Partial<CancelTiming>;
  /** Node binary for the steps (the runner ships its own node24; this one's by default). */
  node?: string;
  /** Copy step output to stderr as it arrives. */
  echo?: boolean;
  /** Values the runner would mask as secrets (the token and runtime token always are). */
  secrets?: string[];
  /** The steps run as this user (through `launcher`); the files the harness creates are handed to it. */
  user?: StepUser;
  /**
   * Command prefix the steps are started through, e.g. entering a mount namespace and dropping to
   * `user` with setpriv (test/world/system-users.ts). Each part execs the next.
   */
  launcher?: string[];
}

export interface RunResult {
  runId: number;
  /** Main's exit code; null when a signal ended it. */
  exitCode: number | null;
  /** Null when post did not run or a signal ended it. */
  postExitCode: number | null;
  postRan: boolean;
  conclusion: 'success' | 'failure' | 'cancelled';
  /** Parsed from main's GITHUB_OUTPUT. */
  outputs: Record<string, string>;
  /** The job summary: main's then post's GITHUB_STEP_SUMMARY. */
  summary: string;
  /** What main saved with GITHUB_STATE (post got these as STATE_<name>). */
  state: Record<string, string>;
  /** What main exported with GITHUB_ENV (post saw these). */
  exportedEnv: Record<string, string>;
  /** Main's then post's raw output. */
  stdout: string;
  stderr: string;
  /** What a user would see in the log: stdout and stderr of both steps with secrets masked. */
  log: string;
  annotations: Annotation[];
  cancelled: boolean;
  /** Signals sent to main, relative to main's start. */
  signals: SignalSent[];
  ref: string;
  cacheMode: CacheMode;
  /** The environment main was started with. */
  env: Record<string, string>;
  main: StepOutcome;
  post?: StepOutcome;
  /**
   * What the runner's end-of-job cleanup found and killed: processes left in a step's group or
   * carrying the job's RUNNER_TRACKING_ID, one line each (`pid 12 (sleep) S uid 1002, tracking id`).
   */
  leftovers: string[];
  durationMs: number;
}

export interface RunningAction {
  runId: number;
  /** Cancels like the Actions UI's "Cancel run" button. */
  cancel(): void;
  result: Promise<RunResult>;
}

let nextLocalRunId = 1000;
const HOST_POLL_MS = 200;

/** Runs main, then post when its `post-if` allows. */
export function runAction(opts: RunOptions): Promise<RunResult> {
  return startAction(opts).result;
}

/** Like runAction, but hands back the run id and a cancel() while the run is going. */
export function startAction(opts: RunOptions): RunningAction {
  const ctx = resolveContext(opts);
  const registered = opts.host !== undefined && opts.runId === undefined;
  const runId = registered
    ? (opts.host as RunHost).startRun({
        owner: ctx.owner,
        repo: ctx.repo,
        event: opts.eventName,
        name: ctx.workflow,
        headBranch: ctx.headBranch,
        headSha: opts.sha,
        runAttempt: ctx.runAttempt,
      })
    : (opts.runId ?? nextLocalRunId++);
  const cancellation = new Cancellation();
  const result = execute(opts, ctx, runId, cancellation).then(
    (r) => {
      if (registered) opts.host?.finishRun(runId, r.conclusion);
      return r;
    },
    (err: unknown) => {
      if (registered) opts.host?.finishRun(runId, 'failure');
      throw err;
    },
  );
  return { runId, cancel: () => cancellation.request(), result };
}

interface Context {
  owner: string;
  repo: string;
  ref: string;
  headBranch: string;
  actor: string;
  workflow: string;
  runAttempt: number;
  cacheMode: CacheMode;
}

function resolveContext(opts: RunOptions): Context {
  const [owner, repo] = opts.repository.split('/');
  if (!owner || !repo)
    throw new Error(`repository must be owner/repo, got ${JSON.stringify(opts.repository)}`);
  const defaultBranch = defaultBranchOf(opts.payload, opts.defaultBranch);
  const ref = opts.ref ?? refFor(opts.eventName, opts.payload, defaultBranch);
  return {
    owner,
    repo,
    ref,
    headBranch: headBranchFor(opts.eventName, opts.payload, ref),
    actor: opts.actor ?? actorOf(opts.payload),
    workflow: opts.workflow ?? 'Pilot',
    runAttempt: opts.runAttempt ?? 1,
    cacheMode: opts.cacheMode ?? cacheModeFor(opts.eventName),
  };
}

/** Cancellation may be asked for before main starts; it is delivered as soon as main exists. */
class Cancellation {
  private step?: RunningStep;
  requested = false;
  request(): void {
    this.requested = true;
    this.step?.cancel();
  }
  attach(step: RunningStep): void {
    this.step = step;
    if (this.requested) step.cancel();
  }
  detach(): void {
    this.step = undefined;
  }
}

async function execute(opts: RunOptions, ctx: Context, runId: number, cancellation: Cancellation) {
  const started = performance.now();
  const action = await loadAction(opts.action);
  const runDir = path.join(opts.runnerTemp, '_runner_file_commands');
  const toolCache = opts.toolCache ?? path.join(path.dirname(opts.runnerTemp), '_tool');
  await mkdir(runDir, { recursive: true });
  await mkdir(toolCache, { recursive: true });
  const eventPath = path.join(opts.runnerTemp, '_github_workflow', `event-${runId}.json`);
  await mkdir(path.dirname(eventPath), { recursive: true });
  await writeFile(eventPath, JSON.stringify(opts.payload, null, 2));
  await handTo(opts.user, [runDir, toolCache, path.dirname(eventPath), eventPath]);

  const runtimeToken = opts.cacheTokenFor?.({ ref: ctx.ref, mode: ctx.cacheMode });
  const github = githubContext(opts, ctx, runId);
  const jobEnv = runnerEnv(opts, ctx, github, { eventPath, toolCache, runtimeToken });
  const inputs = inputEnv(action, opts.inputs ?? {}, github);
  const timing = { ...RUNNER_CANCEL_TIMING, ...opts.cancelTiming };
  const step = (script: string, extra: Record<string, string>, files: FileCommands) =>
    spawnStep({
      node: opts.node ?? process.execPath,
      script,
      env: { ...jobEnv, ...extra, ...inputs, ...files.env },
      cwd: opts.workspace,
      timing,
      echo: opts.echo,
      launcher: opts.launcher,
    });

  const mainFiles = await createFileCommands(runDir, opts.user);
  const mainStep = step(action.main, {}, mainFiles);
  const stopWatching = watchForCancel(opts, runId, cancellation, mainStep);
  const main = await mainStep.done.finally(stopWatching);
  const mainRead = await readFileCommands(mainFiles);

  const cancelled = main.cancelledAtMs !== undefined;
  const failed = main.exitCode !== 0;
  let post: StepOutcome | undefined;
  let postStep: RunningStep | undefined;
  let postFiles: FileCommands | undefined;
  if (action.post && evaluatePostIf(action.postIf, { failed, cancelled })) {
    postFiles = await createFileCommands(runDir, opts.user);
    postStep = step(action.post, postEnv(jobEnv, mainRead), postFiles);
    post = await postStep.done;
  }
  // The runner's end-of-job cleanup: nothing the steps started outlives the job. What it finds is
  // reported, so tests can tell a clean action from one the harness cleaned up after.
  const groups = [mainStep.pid, ...(postStep ? [postStep.pid] : [])];
  const leftovers = await leftoversOf(groups, jobEnv.RUNNER_TRACKING_ID);
  mainStep.killGroup();
  postStep?.killGroup();

  const postSummary = postFiles ? await readText(postFiles.paths.summary) : '';
  return assemble({
    runId,
    ctx,
    main,
    post,
    mainRead,
    summary: mainRead.summary + postSummary,
    secrets: [opts.token, runtimeToken ?? '', ...(opts.secrets ?? [])],
    env: { ...jobEnv, ...inputs, ...mainFiles.env },
    leftovers,
    started,
  });
}

/** A process the action just killed may take a moment to disappear: look again briefly. */
async function leftoversOf(groups: number[], trackingId: string | undefined): Promise<string[]> {
  let found: string[] = [];
  for (let attempt = 0; attempt < 10; attempt++) {
    found = groups.flatMap((g, i) => describeLeftovers(findLeftovers(g, i === 0 ? trackingId : undefined)));
    if (!found.length) return found;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return [...new Set(found)];
}

/** Files the harness creates for a step run as another user must be that user's, like the runner's. */
async function handTo(user: StepUser | undefined, paths: string[]): Promise<void> {
  if (user) for (const p of paths) await chown(p, user.uid, user.gid);
}

function githubContext(opts: RunOptions, ctx: Context, runId: number): Record<string, string> {
  return {
    token: opts.token,
    repository: opts.repository,
    repository_owner: ctx.owner,
    event_name: opts.eventName,
    sha: opts.sha,
    ref: ctx.ref,
    ref_name: ctx.ref.replace(/^refs\/(heads|tags)\//, ''),
    actor: ctx.actor,
    triggering_actor: ctx.actor,
    run_id: String(runId),
    run_number: String(opts.runNumber ?? runId),
    run_attempt: String(ctx.runAttempt),
    workflow: ctx.workflow,
    job: opts.job ?? 'pilot',
    workspace: opts.workspace,
    server_url: 'https://github.com',
    api_url: opts.apiUrl,
    graphql_url: opts.graphqlUrl ?? `${opts.apiUrl.replace(/\/$/, '')}/graphql`,
  };
}

/** The job-level environment; only PATH, HOME and LANG come from the test process. */
function runnerEnv(
  opts: RunOptions,
  ctx: Context,
  github: Record<string, string>,
  extra: { eventPath: string; toolCache: string; runtimeToken?: string },
): Record<string, string> {
  const inherited = Object.fromEntries(
    (['PATH', 'HOME', 'LANG'] as const).flatMap((k) =>
      process.env[k] ? [[k, process.env[k] as string]] : [],
    ),
  );
  const pr = ctx.ref.startsWith('refs/pull/');
  return {
    ...inherited,
    ...opts.extraEnv,
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_EVENT_NAME: opts.eventName,
    GITHUB_EVENT_PATH: extra.eventPath,
    GITHUB_REPOSITORY: opts.repository,
    GITHUB_REPOSITORY_OWNER: ctx.owner,
    GITHUB_WORKSPACE: opts.workspace,
    GITHUB_RUN_ID: github.run_id,
    GITHUB_RUN_ATTEMPT: github.run_attempt,
    GITHUB_RUN_NUMBER: github.run_number,
    GITHUB_JOB: github.job,
    GITHUB_WORKFLOW: ctx.workflow,
    GITHUB_ACTION: '__run',
    GITHUB_ACTOR: ctx.actor,
    GITHUB_TRIGGERING_ACTOR: ctx.actor,
    GITHUB_SHA: opts.sha,
    GITHUB_REF: ctx.ref,
    GITHUB_REF_NAME: pr ? ctx.ref.replace(/^refs\/pull\//, '') : github.ref_name,
    GITHUB_REF_TYPE: ctx.ref.startsWith('refs/tags/') ? 'tag' : 'branch',
    GITHUB_HEAD_REF: pr ? ctx.headBranch : '',
    GITHUB_BASE_REF: '',
    GITHUB_API_URL: opts.apiUrl,
    // Another host silently switches @actions/cache to its legacy protocol (FACTS.md).
    GITHUB_SERVER_URL: github.server_url,
    GITHUB_GRAPHQL_URL: github.graphql_url,
    GITHUB_RETENTION_DAYS: '90',
    RUNNER_OS: 'Linux',
    RUNNER_ARCH: 'X64',
    RUNNER_NAME: 'GitHub Actions 1',
    RUNNER_ENVIRONMENT: 'github-hosted',
    RUNNER_TEMP: opts.runnerTemp,
    RUNNER_TOOL_CACHE: extra.toolCache,
    RUNNER_WORKSPACE: path.dirname(opts.workspace),
    RUNNER_TRACKING_ID: `github_${randomUUID()}`,
    ACTIONS_CACHE_SERVICE_V2: 'True',
    ACTIONS_CACHE_MODE: ctx.cacheMode,
    ...(opts.resultsUrl && { ACTIONS_RESULTS_URL: opts.resultsUrl }),
    ...(extra.runtimeToken && { ACTIONS_RUNTIME_TOKEN: extra.runtimeToken }),
  };
}

/** Declared inputs get their default unless `with:` gave a value; undeclared `with:` values pass too. */
function inputEnv(
  action: ActionDefinition,
  given: Record<string, string>,
  github: Record<string, string>,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, def] of Object.entries(action.inputs)) {
    if (def !== undefined) env[inputEnvName(name)] = evaluateDefault(def, github);
  }
  for (const [name, value] of Object.entries(given)) env[inputEnvName(name)] = value;
  return env;
}

interface FileCommands {
  paths: { output: string; state: string; summary: string; env: string; path: string };
  env: Record<string, string>;
}

/** Fresh, existing files per step, named like the runner's (`set_output_<uuid>`…). */
async function createFileCommands(dir: string, user?: StepUser): Promise<FileCommands> {
  const id = randomUUID();
  const paths = {
    output: path.join(dir, `set_output_${id}`),
    state: path.join(dir, `save_state_${id}`),
    summary: path.join(dir, `step_summary_${id}`),
    env: path.join(dir, `set_env_${id}`),
    path: path.join(dir, `add_path_${id}`),
  };
  for (const file of Object.values(paths)) await writeFile(file, '');
  await handTo(user, Object.values(paths));
  return {
    paths,
    env: {
      GITHUB_OUTPUT: paths.output,
      GITHUB_STATE: paths.state,
      GITHUB_STEP_SUMMARY: paths.summary,
      GITHUB_ENV: paths.env,
      GITHUB_PATH: paths.path,
    },
  };
}

interface FileCommandValues {
  outputs: Record<string, string>;
  state: Record<string, string>;
  env: Record<string, string>;
  path: string[];
  summary: string;
}

async function readFileCommands(files: FileCommands): Promise<FileCommandValues> {
  const { paths } = files;
  return {
    outputs: parseKeyValueFile(await readText(paths.output), 'GITHUB_OUTPUT'),
    state: parseKeyValueFile(await readText(paths.state), 'GITHUB_STATE'),
    env: parseKeyValueFile(await readText(paths.env), 'GITHUB_ENV'),
    path: parsePathFile(await readText(paths.path)),
    summary: await readText(paths.summary),
  };
}

const readText = (file: string) => readFile(file, 'utf8');

/** Post sees main's GITHUB_ENV and GITHUB_PATH additions and main's state as STATE_<name>. */
function postEnv(jobEnv: Record<string, string>, main: FileCommandValues): Record<string, string> {
  const state = Object.fromEntries(Object.entries(main.state).map(([k, v]) => [`STATE_${k}`, v]));
  const pathValue = [...[...main.path].reverse(), jobEnv.PATH].filter(Boolean).join(path.delimiter);
  return { ...main.env, ...(pathValue && { PATH: pathValue }), ...state };
}

/** Delivers cancellation from every source while main runs; returns the function that stops watching. */
function watchForCancel(opts: RunOptions, runId: number, cancellation: Cancellation, main: RunningStep) {
  cancellation.attach(main);
  const cancel = () => cancellation.request();
  const timers: NodeJS.Timeout[] = [];
  if (opts.cancelAfterMs !== undefined) timers.push(setTimeout(cancel, opts.cancelAfterMs));
  const host = opts.host;
  if (host) timers.push(setInterval(() => host.cancelRequested(runId) && cancel(), HOST_POLL_MS));
  if (opts.signal?.aborted) cancel();
  opts.signal?.addEventListener('abort', cancel, { once: true });
  return () => {
    for (const t of timers) clearTimeout(t);
    opts.signal?.removeEventListener('abort', cancel);
    cancellation.detach();
  };
}

interface Pieces {
  runId: number;
  ctx: Context;
  main: StepOutcome;
  post?: StepOutcome;
  mainRead: FileCommandValues;
  summary: string;
  secrets: string[];
  env: Record<string, string>;
  leftovers: string[];
  started: number;
}

function assemble(p: Pieces): RunResult {
  const stdout = p.main.stdout + (p.post?.stdout ?? '');
  const stderr = p.main.stderr + (p.post?.stderr ?? '');
  const commands = parseWorkflowCommands(stdout);
  const cancelled = p.main.cancelledAtMs !== undefined;
  const postExitCode = p.post?.exitCode ?? null;
  const failed = p.main.exitCode !== 0 || (p.post !== undefined && postExitCode !== 0);
  return {
    runId: p.runId,
    exitCode: p.main.exitCode,
    postExitCode,
    postRan: p.post !== undefined,
    conclusion: cancelled ? 'cancelled' : failed ? 'failure' : 'success',
    outputs: p.mainRead.outputs,
    summary: p.summary,
    state: p.mainRead.state,
    exportedEnv: p.mainRead.env,
    stdout,
    stderr,
    log: maskSecrets(`${stdout}${stderr}`, [...p.secrets, ...commands.masks]),
    annotations: commands.annotations,
    cancelled,
    signals: p.main.signalsSent,
    ref: p.ctx.ref,
    cacheMode: p.ctx.cacheMode,
    env: p.env,
    main: p.main,
    post: p.post,
    leftovers: p.leftovers,
    durationMs: Math.round(performance.now() - p.started),
  };
}

/**
 * Options for a run started by a dispatch. Event name, payload and ref are GitHub's to decide, so
 * those fields of a full RunOptions are ignored.
 */
export type DispatchRunOptions = Omit<RunOptions, 'eventName' | 'payload' | 'ref' | 'host' | 'runId'>;

export interface QuietOptions {
  /** Stops a dispatch loop: more runs than this is an error. Default 20. */
  maxRuns?: number;
  /** The dispatch's sender (github-actions[bot] by default, as with GITHUB_TOKEN). */
  sender?: Record<string, unknown>;
}

/**
 * Runs `first`, then one `repository_dispatch` run per dispatch the host recorded, until none are
 * left. `makeDispatchRun` says how to run each (or null when no workflow listens to its event_type).
 */
export async function runUntilQuiet(
  first: RunOptions,
  host: RunHost,
  makeDispatchRun: (d: DispatchRecord) => DispatchRunOptions | null,
  opts: QuietOptions = {},
): Promise<RunResult[]> {
  const maxRuns = opts.maxRuns ?? 20;
  const results: RunResult[] = [];
  const queue: RunOptions[] = [first];
  for (let next = queue.shift(); next; next = queue.shift()) {
    if (results.length >= maxRuns) throw new Error(`more than ${maxRuns} runs: a dispatch loop?`);
    results.push(await runAction({ ...next, runId: undefined, host }));
    for (const d of host.takeDispatches()) {
      const made = makeDispatchRun(d);
      if (made) queue.push(dispatchedRun(d, made, first, opts));
    }
  }
  return results;
}

function dispatchedRun(
  d: DispatchRecord,
  made: DispatchRunOptions,
  first: RunOptions,
  opts: QuietOptions,
): RunOptions {
  const { eventName: _event, payload: _payload, ref: _ref, ...rest } = made as RunOptions;
  const defaultBranch = rest.defaultBranch ?? defaultBranchOf(first.payload, first.defaultBranch);
  // Reuse the triggering event's repository object when it is the same repository.
  const repository = first.payload.repository as { full_name?: string } | undefined;
  const sameRepo = repository?.full_name === `${d.owner}/${d.repo}`;
  const payload = repositoryDispatchPayload(d, {
    defaultBranch,
    repository: sameRepo ? (repository as Record<string, unknown>) : undefined,
    sender: opts.sender,
  });
  // GitHub runs repository_dispatch on the default branch's head, whatever the options said.
  return { ...rest, defaultBranch, eventName: 'repository_dispatch', payload };
}
