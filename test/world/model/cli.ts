// Spawns the real `claude` CLI for tests and collects its stream-json output. The child runs in its
// own process group so `kill()` takes any Bash commands it started with it.
import { spawn } from 'node:child_process';
import { CLAUDE_BIN } from './env.js';

/** One stream-json line; the agent module parses these strictly, tests only need to look at them. */
export interface StreamLine {
  type: string;
  subtype?: string;
  [key: string]: unknown;
}

export interface ClaudeRun {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  lines: StreamLine[];
  /** The final `{type:"result"}` line, when the CLI got that far. */
  result?: StreamLine;
  stderr: string;
}

export interface ClaudeProcess {
  pid: number;
  done: Promise<ClaudeRun>;
  /** Kills the whole process group (idempotent; safe after exit). */
  kill(): void;
}

export interface SpawnClaudeOptions {
  args: string[];
  cwd: string;
  env: Record<string, string>;
}

/** The headless flags Pilot uses, plus the prompt. */
export function headlessArgs(prompt: string, extra: string[] = []): string[] {
  return [
    '-p',
    prompt,
    '--output-format',
    'stream-json',
    '--verbose',
    '--max-turns',
    '5',
    '--permission-mode',
    'acceptEdits',
    ...extra,
  ];
}

function parseLines(stdout: string): StreamLine[] {
  return stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      try {
        return JSON.parse(l) as StreamLine;
      } catch {
        return { type: 'unparsed', text: l };
      }
    });
}

export function spawnClaude(opts: SpawnClaudeOptions): ClaudeProcess {
  const child = spawn(CLAUDE_BIN, opts.args, {
    cwd: opts.cwd,
    env: opts.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let exited = false;
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString('utf8');
  });
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString('utf8');
  });
  const done = new Promise<ClaudeRun>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (exitCode, signal) => {
      exited = true;
      const lines = parseLines(stdout);
      const result = [...lines].reverse().find((l) => l.type === 'result');
      resolve({ exitCode, signal, lines, result, stderr });
    });
  });
  const pid = child.pid ?? -1;
  return {
    pid,
    done,
    kill: () => {
      if (exited || pid < 0) return;
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    },
  };
}
