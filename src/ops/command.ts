// Runs an inventory command (a `command` check or a playbook) the way Pilot runs anything it did not
// write: `sh -c` with a minimal environment (never Pilot's inputs, tokens or keys), in its own process
// group so a timeout kills every child, as another user when Pilot can start one (so it cannot read
// Pilot's own /proc/<pid>/environ either), and with its output capped.
import { spawn } from 'node:child_process';

/** Only what a shell needs: no INPUT_*, no GITHUB_TOKEN, no ACTIONS_* and no model key. */
export const MINIMAL_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const MAX_OUTPUT = 16_000;
/** After SIGTERM, how long a command has to end before its whole group gets SIGKILL. */
const KILL_GRACE_MS = 2_000;

export interface CommandUser {
  uid: number;
  gid: number;
}

export interface CommandOptions {
  cwd: string;
  timeoutMs: number;
  /** Start as this user (Pilot runs as root); undefined = Pilot's own user, minimal environment only. */
  user?: CommandUser;
  /** Names and values the inventory's command may see (e.g. the service's name); nothing secret. */
  extraEnv?: Record<string, string>;
}

export interface CommandOutcome {
  /** The exit code, or null when it was killed (timeout) or could not start. */
  code: number | null;
  timedOut: boolean;
  output: string;
  ms: number;
}

export function minimalEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: MINIMAL_PATH, LANG: 'C.UTF-8', HOME: '/tmp', ...extra };
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is gone already.
  }
}

/** Runs `script` with sh; never rejects and never outlives its timeout by more than the kill grace. */
export function runShell(script: string, opts: CommandOptions): Promise<CommandOutcome> {
  const started = Date.now();
  return new Promise((resolve) => {
    let output = '';
    let timedOut = false;
    const child = spawn('/bin/sh', ['-c', script], {
      cwd: opts.cwd,
      env: minimalEnv(opts.extraEnv),
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(opts.user ? { uid: opts.user.uid, gid: opts.user.gid } : {}),
    });
    const take = (chunk: Buffer) => {
      if (output.length < MAX_OUTPUT) output += chunk.toString('utf8').slice(0, MAX_OUTPUT - output.length);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid, 'SIGTERM');
      setTimeout(() => killGroup(child.pid, 'SIGKILL'), KILL_GRACE_MS).unref();
    }, opts.timeoutMs);
    const done = (code: number | null, extra = '') => {
      clearTimeout(timer);
      // Children left in the group (a backgrounded `sleep`) would hold the job open: end them too.
      killGroup(child.pid, 'SIGKILL');
      resolve({ code: timedOut ? null : code, timedOut, output: output + extra, ms: Date.now() - started });
    };
    child.on('error', (error) => done(null, `could not start: ${error.message}`));
    child.on('close', (code) => done(code));
  });
}
