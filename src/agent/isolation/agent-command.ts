// Runs one shell command (a quality gate) the way the agent's own commands run: as the agent's user,
// with the agent's allowlisted environment minus anything that reaches the model, in its own process
// group, killed whole at its timeout. Pilot's environment (GITHUB_TOKEN, INPUT_*, the state key) is
// never copied: the command gets exactly `env`.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { RUN_MARKER_ENV, reapAgentUser, reapMarked } from '../claude.js';
import { type AgentUser, launchAs } from './user.js';

export interface AgentCommand {
  /** Run with `sh -c` in `cwd`. */
  run: string;
  cwd: string;
  /** The agent's environment (agent/env.ts); model variables are dropped here. */
  env: Record<string, string>;
  runAs?: AgentUser;
  timeoutMs: number;
  /** How much of the combined output to keep (the tail); default 64 kB. */
  keepBytes?: number;
}

export interface CommandOutcome {
  exitCode: number | null;
  timedOut: boolean;
  /** The last `keepBytes` of stdout and stderr together, in arrival order. */
  output: string;
  durationMs: number;
}

/** A gate never needs the model: not the gateway's URL, not the per-run key. */
const MODEL_VARS = /^(ANTHROPIC_.*|CLAUDE_CODE_OAUTH_TOKEN)$/i;

export function commandEnv(agentEnv: Record<string, string>): Record<string, string> {
  const env = Object.fromEntries(Object.entries(agentEnv).filter(([name]) => !MODEL_VARS.test(name)));
  // Test runners that watch by default (vitest, jest) run once under CI.
  return { ...env, CI: 'true' };
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

export async function runAgentCommand(cmd: AgentCommand): Promise<CommandOutcome> {
  const started = Date.now();
  const marker = randomUUID();
  const env = { ...commandEnv(cmd.env), [RUN_MARKER_ENV]: marker };
  const launch = cmd.runAs
    ? launchAs(cmd.runAs, 'sh', ['-c', cmd.run], env)
    : { command: 'sh', args: ['-c', cmd.run], env, uid: undefined, gid: undefined };
  const child = spawn(launch.command, launch.args, {
    cwd: cmd.cwd,
    env: launch.env,
    uid: launch.uid,
    gid: launch.gid,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = cmd.keepBytes ?? 64 * 1024;
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-keep);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup(child.pid);
  }, cmd.timeoutMs);
  const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));
  // `exit`, not `close`: a background child holding the pipes open must not keep the gate running.
  const exitCode = await new Promise<number | null>((resolve) => {
    child.on('error', (error) => {
      output += `\n${error.message}`;
      resolve(null);
    });
    child.on('exit', (code) => resolve(code));
  });
  clearTimeout(timer);
  // Whatever the gate left behind (a server it started, a setsid'd child) must not outlive it.
  killGroup(child.pid);
  if (cmd.runAs?.via === 'sudo') await reapAgentUser(cmd.runAs);
  await reapMarked(marker);
  await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
  return { exitCode: timedOut ? null : exitCode, timedOut, output, durationMs: Date.now() - started };
}
