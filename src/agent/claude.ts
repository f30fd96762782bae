// Runs the Claude Code CLI headless in its own process group and reads its stream.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { StopReason } from '../constants.js';
import { type AgentUser, type Launch, launchAs } from './isolation/user.js';
import {
  describeToolUses,
  type PermissionDenial,
  parseStreamLine,
  type ResultLine,
  type StreamEvent,
} from './stream.js';

/**
 * Every process of one agent run carries this variable (the Bash tool passes the CLI's environment on),
 * so processes that left the group with `setsid` can still be found: the runner's RUNNER_TRACKING_ID trick.
 */
export const RUN_MARKER_ENV = 'PILOT_AGENT_RUN';

export interface AgentRequest {
  claudePath: string;
  cwd: string;
  prompt: string;
  systemPrompt: string;
  env: Record<string, string>;
  maxTurns: number;
  /** max-cost-usd, one name down to here; the CLI calls its flag `--max-budget-usd`. */
  maxCostUsd?: number;
  model?: string;
  allowedTools: string[];
  resumeSessionId?: string;
  /** A fresh session's id, fixed up front (`--session-id`) so it can be recorded before the run ends. */
  sessionId?: string;
  /** The session's cumulative cost before this run: after `--resume` the CLI reports the session's total. */
  priorSessionCostUsd?: number;
  /** Absolute deadline (ms since epoch): the whole process group is stopped then. */
  deadline: number;
  onAction?: (action: string) => void;
  /** Every parsed stream line (progress reporting reads TodoWrite calls from it). */
  onEvent?: (event: StreamEvent) => void;
  signal?: AbortSignal;
  /** Delay between SIGTERM and SIGKILL of the group (default 3 s: well inside the runner's 7.5 s). */
  killGraceMs?: number;
  /** Pilot's generated settings file (sandbox, deny rules), passed with --settings. */
  settingsPath?: string;
  /** The agent's own user (isolation/user.ts); absent = Pilot's own user. */
  runAs?: AgentUser;
  /** A JSON Schema the answer must follow (`--json-schema`): the CLI adds its StructuredOutput tool. */
  jsonSchema?: Record<string, unknown>;
  /** `plan` keeps the CLI read-only (an epic's planning run); the default lets the agent edit. */
  permissionMode?: 'acceptEdits' | 'plan';
}

export interface AgentResult {
  ok: boolean;
  exitCode: number | null;
  /** Why it stopped, in words a maintainer understands. */
  stopReason: StopReason;
  numTurns: number;
  /** This run's cost (the session's total minus what it had cost before). */
  costUsd: number;
  /** The session's cumulative cost as the CLI reported it. */
  sessionCostUsd: number;
  sessionId?: string;
  resultText: string;
  permissionDenials: PermissionDenial[];
  errorText?: string;
  durationMs: number;
  /**
   * Tokens the model gateway counted in the API's answers (absent where no gateway ran). Read by
   * Pilot's process from the upstream's bytes, so nothing the agent prints or writes can change them.
   */
  tokens?: MeteredTokens;
  /** The StructuredOutput tool's input when `jsonSchema` was asked for: the model's words, unchecked. */
  structuredOutput?: unknown;
}

export interface MeteredTokens {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}

export function claudeArgs(req: AgentRequest): string[] {
  const args = [
    '-p',
    req.prompt,
    '--output-format',
    'stream-json',
    '--verbose',
    '--max-turns',
    String(req.maxTurns),
    '--permission-mode',
    req.permissionMode ?? 'acceptEdits',
    '--allowedTools',
    req.allowedTools.join(','),
    '--append-system-prompt',
    req.systemPrompt,
    // Nothing in the working tree configures the agent: no project settings, hooks or MCP servers.
    '--setting-sources',
    'user',
    '--strict-mcp-config',
    '--mcp-config',
    '{"mcpServers":{}}',
  ];
  if (req.settingsPath) args.push('--settings', req.settingsPath);
  if (req.model) args.push('--model', req.model);
  if (req.jsonSchema) args.push('--json-schema', JSON.stringify(req.jsonSchema));
  if (req.maxCostUsd) args.push('--max-budget-usd', String(req.maxCostUsd));
  if (req.resumeSessionId) args.push('--resume', req.resumeSessionId);
  else if (req.sessionId) args.push('--session-id', req.sessionId);
  return args;
}

function stopReasonOf(result: ResultLine | undefined, killedBy: 'timeout' | 'cancelled' | null) {
  if (killedBy) return killedBy;
  if (!result) return 'error' as const;
  if (result.subtype === 'error_max_turns') return 'max_turns' as const;
  if (result.subtype.includes('budget')) return 'budget' as const;
  if (result.terminal_reason === 'api_error') return 'api_error' as const;
  return result.is_error ? ('error' as const) : ('completed' as const);
}

/** Kills the whole group: commands the Bash tool started must not outlive the agent. */
function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/** Pids (other than ours) whose environment holds `name=value`; unreadable entries are skipped. */
export function pidsWithEnv(name: string, value: string, procDir = '/proc'): number[] {
  const needle = Buffer.from(`${name}=${value}\0`);
  const pids: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync(procDir);
  } catch {
    return pids; // no /proc (not Linux): the group kill is all there is
  }
  for (const entry of entries) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      if (readFileSync(`${procDir}/${entry}/environ`).includes(needle)) pids.push(pid);
    } catch {
      // gone, or another user's process
    }
  }
  return pids;
}

/**
 * SIGKILLs every process carrying this run's marker, including ones that left the group (setsid),
 * and scans again until none is left: a shell may fork between one scan and the kill.
 */
export async function reapMarked(marker: string, rounds = 40): Promise<number> {
  let killed = 0;
  for (let round = 0; round < rounds; round++) {
    const pids = pidsWithEnv(RUN_MARKER_ENV, marker);
    if (pids.length === 0) return killed;
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
        killed++;
      } catch {
        // already gone
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return killed;
}

/**
 * SIGKILLs every process of the agent's own user, as that user (`kill -9 -1` signals everything the
 * caller may signal, which for an unprivileged user is its own processes). With sudo Pilot cannot
 * read the agent's /proc entries, so the run marker cannot find what escaped the group (setsid,
 * nohup, double fork, a cleared environment); the uid can. The agent's user runs nothing but one
 * agent at a time (SECURITY.md: one agent user per concurrently running job). Repeated because a
 * process may fork while the signals go out.
 */
export async function reapAgentUser(user: AgentUser, rounds = 10): Promise<void> {
  const script = `i=0; while [ $i -lt ${rounds} ] && kill -9 -1 2>/dev/null; do i=$((i+1)); sleep 0.05; done; exit 0`;
  const launch = launchAs(user, 'sh', ['-c', script], { PATH: process.env.PATH ?? '/usr/bin:/bin' });
  await new Promise<void>((resolve) => {
    const child = spawn(launch.command, launch.args, {
      env: launch.env,
      uid: launch.uid,
      gid: launch.gid,
      cwd: '/',
      stdio: 'ignore',
    });
    child.on('error', () => resolve());
    child.on('close', () => resolve());
  });
}

/**
 * Everything this run started, however it left the group. Pilot reads every process's environment
 * when it is root or the agent is Pilot's own user: the run marker finds them without touching other
 * runs' agents on the same machine. Through sudo it cannot, so the agent's uid decides.
 */
async function reapRun(req: AgentRequest, marker: string): Promise<void> {
  if (req.runAs?.via === 'sudo') await reapAgentUser(req.runAs);
  await reapMarked(marker);
}

/**
 * The agent's own deadline: the job's timeout minus 5 minutes, so Pilot still has time to push work
 * in progress and write the tracking comment before GitHub kills the job. Short jobs keep half.
 */
export function agentDeadline(startedMs: number, timeoutMinutes: number): number {
  const job = timeoutMinutes * 60_000;
  return startedMs + Math.max(job - 5 * 60_000, job / 2);
}

interface Watch {
  stop(why: 'timeout' | 'cancelled'): void;
  killedBy(): 'timeout' | 'cancelled' | null;
  dispose(): void;
}

/** Stops the group at the deadline or on abort: SIGTERM, then SIGKILL after a grace period. */
function watchLimits(pid: number | undefined, req: AgentRequest, marker: string): Watch {
  let killedBy: 'timeout' | 'cancelled' | null = null;
  const timers: NodeJS.Timeout[] = [];
  const stop = (why: 'timeout' | 'cancelled') => {
    if (killedBy || pid === undefined) return;
    killedBy = why;
    killGroup(pid, 'SIGTERM');
    const kill = setTimeout(() => {
      killGroup(pid, 'SIGKILL');
      void reapRun(req, marker);
    }, req.killGraceMs ?? 3000);
    kill.unref();
    timers.push(kill);
  };
  timers.push(setTimeout(() => stop('timeout'), Math.max(0, req.deadline - Date.now())));
  const onAbort = () => stop('cancelled');
  if (req.signal?.aborted) onAbort();
  req.signal?.addEventListener('abort', onAbort, { once: true });
  return {
    stop,
    killedBy: () => killedBy,
    dispose: () => {
      for (const t of timers) clearTimeout(t);
      req.signal?.removeEventListener('abort', onAbort);
    },
  };
}

interface StreamState {
  result?: ResultLine;
  sessionId?: string;
}

function readStream(stdout: NodeJS.ReadableStream, req: AgentRequest): StreamState {
  const state: StreamState = {};
  const lines = createInterface({ input: stdout });
  lines.on('line', (text) => {
    const event = parseStreamLine(text);
    if (!event) return;
    if (event.type === 'init') state.sessionId = event.line.session_id;
    if (event.type === 'assistant') for (const action of describeToolUses(event.line)) req.onAction?.(action);
    if (event.type === 'result') state.result = event.line;
    req.onEvent?.(event);
  });
  return state;
}

export async function runClaude(req: AgentRequest): Promise<AgentResult> {
  const started = Date.now();
  const marker = randomUUID();
  const env = { ...req.env, [RUN_MARKER_ENV]: marker };
  const launch: Launch = req.runAs
    ? launchAs(req.runAs, req.claudePath, claudeArgs(req), env)
    : { command: req.claudePath, args: claudeArgs(req), env };
  const child = spawn(launch.command, launch.args, {
    cwd: req.cwd,
    env: launch.env,
    uid: launch.uid,
    gid: launch.gid,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const watch = watchLimits(child.pid, req, marker);
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr = (stderr + d).slice(-4000);
  });
  const stream = readStream(child.stdout, req);
  const exitCode = await new Promise<number | null>((resolve) => {
    child.on('error', (error) => {
      stderr += String(error);
      resolve(null);
    });
    child.on('close', (code) => resolve(code));
  });
  watch.dispose();
  // Leftovers of the group, and anything that left it, must not outlive the run.
  if (child.pid !== undefined) killGroup(child.pid, 'SIGKILL');
  await reapRun(req, marker);
  return resultOf(req, stream, watch.killedBy(), exitCode, stderr, started);
}

function resultOf(
  req: AgentRequest,
  stream: StreamState,
  killedBy: 'timeout' | 'cancelled' | null,
  exitCode: number | null,
  stderr: string,
  started: number,
): AgentResult {
  const { result } = stream;
  const stopReason = stopReasonOf(result, killedBy);
  const ok = stopReason === 'completed' && exitCode === 0 && result?.is_error === false;
  const sessionCostUsd = result?.total_cost_usd ?? req.priorSessionCostUsd ?? 0;
  return {
    ok,
    exitCode,
    stopReason,
    numTurns: result?.num_turns ?? 0,
    costUsd: Math.max(0, sessionCostUsd - (req.priorSessionCostUsd ?? 0)),
    sessionCostUsd,
    sessionId: result?.session_id ?? stream.sessionId ?? req.resumeSessionId ?? req.sessionId,
    resultText: result?.result ?? '',
    permissionDenials: result?.permission_denials ?? [],
    errorText: ok ? undefined : errorTextOf(result, stderr, exitCode, killedBy),
    durationMs: Date.now() - started,
    structuredOutput: result?.structured_output,
  };
}

function errorTextOf(
  result: ResultLine | undefined,
  stderr: string,
  exitCode: number | null,
  killedBy: 'timeout' | 'cancelled' | null,
): string {
  if (killedBy === 'timeout')
    return 'the agent was stopped at its deadline (timeout-minutes minus 5 minutes)';
  if (killedBy === 'cancelled') return 'the run was cancelled';
  if (result?.is_error) {
    const status = result.api_error_status ? ` (model API answered ${result.api_error_status})` : '';
    return `${result.result ?? result.subtype}${status}`.slice(0, 1000);
  }
  const tail = stderr.trim().split('\n').slice(-5).join('\n');
  return `Claude Code exited with code ${exitCode}${tail ? `: ${tail}` : ''}`.slice(0, 1000);
}

let cancellation: AbortController | undefined;

/**
 * Aborted when the runner cancels the job: it sends SIGINT, SIGTERM 7.5 s later and kills the tree
 * 2.5 s after that. Listening keeps the process alive long enough to stop the agent's group, push
 * work in progress and say "cancelled" (the post step covers what is left).
 */
export function runnerCancellation(log?: (line: string) => void): AbortSignal {
  if (!cancellation) {
    const controller = new AbortController();
    cancellation = controller;
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.on(signal, () => {
        log?.(`Received ${signal}: stopping the agent`);
        controller.abort(signal);
      });
    }
  }
  return cancellation.signal;
}
