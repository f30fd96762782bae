// One step's process, started and stopped the way the runner does it on Linux: the step leads its
// own process group; cancellation sends SIGINT, then SIGTERM, then SIGKILLs the whole group
// (actions/runner ProcessInvoker; delays from FACTS.md).
import { type ChildProcess, spawn } from 'node:child_process';

export interface CancelTiming {
  /** Delay between SIGINT and SIGTERM (runner: 7.5 s). */
  termAfterMs: number;
  /** Delay between SIGTERM and the SIGKILL of the process group (runner: 2.5 s). */
  killAfterMs: number;
}

export const RUNNER_CANCEL_TIMING: Readonly<CancelTiming> = { termAfterMs: 7500, killAfterMs: 2500 };

export interface SignalSent {
  signal: 'SIGINT' | 'SIGTERM' | 'SIGKILL';
  /** Milliseconds since the step started. */
  atMs: number;
}

export interface StepOutcome {
  /** Null when the process ended by a signal. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Set when cancellation reached this step while it ran. */
  cancelledAtMs?: number;
  signalsSent: SignalSent[];
  durationMs: number;
}

export interface StepSpec {
  node: string;
  script: string;
  env: Record<string, string>;
  cwd: string;
  timing: CancelTiming;
  /** Copies output to the test's stderr as it arrives (debugging aid). */
  echo?: boolean;
  /**
   * A command prefix the step is started through (e.g. entering a mount namespace and dropping to the
   * runner's user with setpriv). Every part must `exec` the next, so the step's pid is node's.
   */
  launcher?: string[];
}

export interface RunningStep {
  pid: number;
  /** Starts the SIGINT → SIGTERM → SIGKILL sequence; later calls do nothing. */
  cancel(): void;
  done: Promise<StepOutcome>;
  /** SIGKILLs whatever is left of the step's process group (the runner's end-of-job orphan cleanup). */
  killGroup(): void;
}

// Steps lead their own group, so they would outlive a crashed test process: kill them on exit.
const liveGroups = new Set<number>();
let exitHookInstalled = false;
function trackGroup(pid: number): void {
  if (!exitHookInstalled) {
    process.once('exit', () => {
      for (const group of liveGroups) killGroupNow(group);
    });
    exitHookInstalled = true;
  }
  liveGroups.add(pid);
}

function killGroupNow(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // ESRCH: the group is already gone.
  }
}

/** After the step's process exits, leftovers holding its pipes must not keep the step open forever. */
const PIPE_GRACE_MS = 250;

export function spawnStep(spec: StepSpec): RunningStep {
  const started = performance.now();
  const since = () => Math.round(performance.now() - started);
  const [command, ...args] = [...(spec.launcher ?? []), spec.node, spec.script];
  const child = spawn(command as string, args, {
    cwd: spec.cwd,
    env: spec.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`could not start ${command} ${args.join(' ')}`);
  const pid = child.pid;
  trackGroup(pid);

  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  collect(child, stdout, stderr, spec.echo);

  let exited = false;
  const timers: NodeJS.Timeout[] = [];
  const signalsSent: SignalSent[] = [];
  let cancelledAtMs: number | undefined;
  const send = (signal: SignalSent['signal']) => {
    if (exited) return;
    signalsSent.push({ signal, atMs: since() });
    try {
      if (signal === 'SIGKILL') process.kill(-pid, signal);
      else process.kill(pid, signal);
    } catch {
      // The process exited between the check and the kill.
    }
  };

  const cancel = () => {
    if (exited || cancelledAtMs !== undefined) return;
    cancelledAtMs = since();
    send('SIGINT');
    timers.push(
      setTimeout(() => {
        send('SIGTERM');
        timers.push(setTimeout(() => send('SIGKILL'), spec.timing.killAfterMs));
      }, spec.timing.termAfterMs),
    );
  };

  const done = new Promise<StepOutcome>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', async (exitCode, signal) => {
      exited = true;
      for (const t of timers) clearTimeout(t);
      await pipesClosed(child);
      resolve({
        exitCode,
        signal,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
        cancelledAtMs,
        signalsSent,
        durationMs: since(),
      });
    });
  });

  return {
    pid,
    cancel,
    done,
    killGroup: () => {
      killGroupNow(pid);
      liveGroups.delete(pid);
    },
  };
}

function collect(child: ChildProcess, stdout: Buffer[], stderr: Buffer[], echo?: boolean): void {
  child.stdout?.on('data', (b: Buffer) => {
    stdout.push(b);
    if (echo) process.stderr.write(b);
  });
  child.stderr?.on('data', (b: Buffer) => {
    stderr.push(b);
    if (echo) process.stderr.write(b);
  });
}

async function pipesClosed(child: ChildProcess): Promise<void> {
  const streams = [child.stdout, child.stderr].filter((s) => s !== null);
  const closed = Promise.all(
    streams.map((s) => (s.closed ? undefined : new Promise<void>((r) => s.once('close', () => r())))),
  );
  let timer: NodeJS.Timeout | undefined;
  const grace = new Promise<void>((r) => {
    timer = setTimeout(r, PIPE_GRACE_MS);
  });
  await Promise.race([closed, grace]);
  clearTimeout(timer);
  for (const s of streams) s.destroy();
}
