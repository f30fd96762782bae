// The agent's own unprivileged user. Processes of another uid cannot read Pilot's /proc/<pid>/environ
// (where every action input lives) nor RUNNER_TEMP, and that user has no sudo.
//   - runner image: the user exists (PILOT_AGENT_USER, `pilot-agent`), started with `sudo -n -u`;
//   - hosted runners: the job user has passwordless sudo, so Pilot creates the user with `sudo useradd`;
//   - as root (containers, this project's CI): `useradd` directly, started with setuid/setgid.
import { type CommandResult, type Runner, runCommand, why } from './exec.js';

export const DEFAULT_AGENT_USER = 'pilot-agent';

/** What Pilot itself may do to files it does not own: as root, through `sudo -n`, or nothing. */
export type Privilege = 'root' | 'sudo' | 'none';

export interface AgentUser {
  name: string;
  uid: number;
  gid: number;
  /** From the password database; Pilot gives the agent a fresh per-run HOME instead. */
  home: string;
  /** How Pilot starts processes as this user. */
  via: 'setuid' | 'sudo';
}

export type UserOutcome = { ok: true; user: AgentUser; created: boolean } | { ok: false; reason: string };

export interface UserProbe {
  euid: number;
  env: NodeJS.ProcessEnv;
  run: Runner;
}

export function defaultProbe(): UserProbe {
  return { euid: process.geteuid?.() ?? -1, env: process.env, run: runCommand };
}

/** Root needs nothing; anyone else needs a sudo that asks for no password. */
export async function privilegeOf(probe: UserProbe): Promise<Privilege> {
  if (probe.euid === 0) return 'root';
  const sudo = await probe.run('sudo', ['-n', 'true']);
  return sudo.code === 0 ? 'sudo' : 'none';
}

/** Runs a command with Pilot's privilege (for chown, useradd): directly as root, else `sudo -n`. */
export function asPrivileged(probe: UserProbe, privilege: Privilege) {
  return (command: string, args: string[]): Promise<CommandResult> =>
    privilege === 'sudo' ? probe.run('sudo', ['-n', command, ...args]) : probe.run(command, args);
}

interface PasswdEntry {
  uid: number;
  gid: number;
  home: string;
}

async function lookup(probe: UserProbe, name: string): Promise<PasswdEntry | undefined> {
  const found = await probe.run('getent', ['passwd', name]);
  const fields = found.code === 0 ? found.stdout.trim().split(':') : [];
  if (fields.length < 7) return undefined;
  return { uid: Number(fields[2]), gid: Number(fields[3]), home: fields[5] };
}

function useraddArgs(name: string): string[] {
  // No login shell and a locked password: the account can only be started by Pilot.
  return ['--system', '--user-group', '--create-home', '--shell', '/usr/sbin/nologin', name];
}

/** Finds or creates the agent's user and says how Pilot can start processes as it, or why it cannot. */
export async function ensureAgentUser(probe: UserProbe, privilege: Privilege): Promise<UserOutcome> {
  const name = probe.env.PILOT_AGENT_USER?.trim() || DEFAULT_AGENT_USER;
  if (!/^[a-z_][a-z0-9_-]{0,31}$/.test(name))
    return { ok: false, reason: `PILOT_AGENT_USER '${name}' is not a valid user name` };
  let entry = await lookup(probe, name);
  let created = false;
  if (!entry) {
    if (privilege === 'none')
      return {
        ok: false,
        reason: `user ${name} does not exist and Pilot cannot create it (not root, and sudo asks for a password or is missing)`,
      };
    const added = await asPrivileged(probe, privilege)('useradd', useraddArgs(name));
    entry = await lookup(probe, name);
    if (!entry) return { ok: false, reason: `could not create user ${name}: ${why(added)}` };
    created = true;
  }
  if (entry.uid === 0 || entry.uid === probe.euid)
    return { ok: false, reason: `user ${name} has uid ${entry.uid}, the same as Pilot or root` };
  const user = { name, ...entry };
  if (probe.euid === 0) return { ok: true, user: { ...user, via: 'setuid' }, created };
  const sudo = await probe.run('sudo', ['-n', '-u', name, 'true']);
  if (sudo.code !== 0)
    return { ok: false, reason: `Pilot cannot start processes as ${name} with sudo -n: ${why(sudo)}` };
  return { ok: true, user: { ...user, via: 'sudo' }, created };
}

export interface Launch {
  command: string;
  args: string[];
  uid?: number;
  gid?: number;
  env: Record<string, string>;
}

/** Names whose values must not appear on a command line (every user can read /proc/<pid>/cmdline). */
const SECRET_VARS = /KEY|TOKEN|SECRET|PASSWORD/i;

/**
 * How to start `command` as the agent. With sudo, the environment is reset (env_reset), so plain
 * values go through `env NAME=value` and secrets through --preserve-env; PATH too, since sudo's
 * secure_path would replace it. The runner image's rule `runner ALL=(pilot-agent) NOPASSWD: ALL`
 * names the command ALL, which implies SETENV, so --preserve-env is allowed.
 */
export function launchAs(
  user: AgentUser,
  command: string,
  args: string[],
  env: Record<string, string>,
): Launch {
  if (user.via === 'setuid') return { command, args, uid: user.uid, gid: user.gid, env };
  const secret = Object.keys(env).filter((k) => SECRET_VARS.test(k));
  const plain = Object.entries(env)
    .filter(([k]) => !SECRET_VARS.test(k))
    .map(([k, v]) => `${k}=${v}`);
  const preserve = secret.length ? [`--preserve-env=${secret.join(',')}`] : [];
  return {
    command: 'sudo',
    args: ['-n', '-u', user.name, ...preserve, '--', 'env', ...plain, command, ...args],
    env,
  };
}

/** Runs a short command as the agent and collects its output (checks, probes). */
export function runAs(
  probe: UserProbe,
  user: AgentUser,
  command: string,
  args: string[],
  env: Record<string, string>,
) {
  const launch = launchAs(user, command, args, env);
  return probe.run(launch.command, launch.args, {
    uid: launch.uid,
    gid: launch.gid,
    env: launch.env,
    cwd: '/',
  });
}
