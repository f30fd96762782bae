// Runs the Claude Code CLI headless in its own process group and reads its stream.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { describeToolUses, type PermissionDenial, parseStreamLine, type ResultLine } from './stream.js';

export interface AgentRequest {
  claudePath: string;
  cwd: string;
  prompt: string;
  systemPrompt: string;
  env: Record<string, string>;
  maxTurns: number;
  maxBudgetUsd?: number;
  model?: string;
  allowedTools: string[];
  resumeSessionId?: string;
  /** Absolute deadline (ms since epoch): the whole process group is stopped then. */
  deadline: number;
  onAction?: (action: string) => void;
  signal?: AbortSignal;
}

export interface AgentResult {
  ok: boolean;
  exitCode: number | null;
  /** Why it stopped, in words a maintainer understands. */
  stopReason: 'completed' | 'max_turns' | 'budget' | 'timeout' | 'cancelled' | 'api_error' | 'error';
  numTurns: number;
  costUsd: number;
  sessionId?: string;
  resultText: string;
  permissionDenials: PermissionDenial[];
  errorText?: string;
  durationMs: number;
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
    'acceptEdits',
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
  if (req.model) args.push('--model', req.model);
  if (req.maxBudgetUsd) args.push('--max-budget-usd', String(req.maxBudgetUsd));
  if (req.resumeSessionId) args.push('--resume', req.resumeSessionId);
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

export async function runClaude(req: AgentRequest): Promise<AgentResult> {
  const started = Date.now();
  const child = spawn(req.claudePath, claudeArgs(req), {
    cwd: req.cwd,
    env: req.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let killedBy: 'timeout' | 'cancelled' | null = null;
  const stop = (why: 'timeout' | 'cancelled') => {
    if (killedBy || child.pid === undefined) return;
    killedBy = why;
    killGroup(child.pid, 'SIGTERM');
    setTimeout(() => child.pid !== undefined && killGroup(child.pid, 'SIGKILL'), 3000).unref();
  };
  const timer = setTimeout(() => stop('timeout'), Math.max(0, req.deadline - Date.now()));
  req.signal?.addEventListener('abort', () => stop('cancelled'), { once: true });

  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr = (stderr + d).slice(-4000);
  });
  let result: ResultLine | undefined;
  let sessionId: string | undefined;
  const lines = createInterface({ input: child.stdout });
  lines.on('line', (text) => {
    const event = parseStreamLine(text);
    if (event?.type === 'init') sessionId = event.line.session_id;
    if (event?.type === 'assistant')
      for (const action of describeToolUses(event.line)) req.onAction?.(action);
    if (event?.type === 'result') result = event.line;
  });
  const exitCode = await new Promise<number | null>((resolve) => {
    child.on('error', (error) => {
      stderr += String(error);
      resolve(null);
    });
    child.on('close', (code) => resolve(code));
  });
  clearTimeout(timer);
  if (child.pid !== undefined) killGroup(child.pid, 'SIGKILL'); // leftovers of the group, if any

  const stopReason = stopReasonOf(result, killedBy);
  const ok = stopReason === 'completed' && exitCode === 0 && result?.is_error === false;
  return {
    ok,
    exitCode,
    stopReason,
    numTurns: result?.num_turns ?? 0,
    costUsd: result?.total_cost_usd ?? 0,
    sessionId: result?.session_id ?? sessionId,
    resultText: result?.result ?? '',
    permissionDenials: result?.permission_denials ?? [],
    errorText: ok ? undefined : errorTextOf(result, stderr, exitCode),
    durationMs: Date.now() - started,
  };
}

function errorTextOf(result: ResultLine | undefined, stderr: string, exitCode: number | null): string {
  if (result?.is_error) {
    const status = result.api_error_status ? ` (model API answered ${result.api_error_status})` : '';
    return `${result.result ?? result.subtype}${status}`.slice(0, 1000);
  }
  const tail = stderr.trim().split('\n').slice(-5).join('\n');
  return `Claude Code exited with code ${exitCode}${tail ? `: ${tail}` : ''}`.slice(0, 1000);
}
