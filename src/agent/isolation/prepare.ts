// Sets up the agent's side of the machine: its user, its directories, the lent workspace, and a check
// of what the Bash sandbox can do. Every layer that cannot be set up is reported with the reason;
// the run goes on without it (as Pilot's own user) unless require-isolation says otherwise.
import { constants } from 'node:fs';
import { access, realpath } from 'node:fs/promises';
import path from 'node:path';
import { messageOf } from '../../errors.js';
import { agentBase, makeRunDirs, type RunDirs, removeTmp, socketsFit } from './dirs.js';
import { why } from './exec.js';
import type { Layer } from './layers.js';
import { lendWorkspace } from './lend.js';
import { sandboxSupport } from './sandbox.js';
import { type AgentUser, defaultProbe, ensureAgentUser, privilegeOf, runAs, type UserProbe } from './user.js';
import { closePath, type FsTools, openPath, type Undo } from './workspace.js';

export interface PrepareOptions {
  workspace: string;
  runnerTemp: string;
  /** The runner's own directories (registration, credentials): shut to the agent like RUNNER_TEMP. */
  runnerDirs?: string[];
  claudePath: string;
  probe?: UserProbe;
  platform?: NodeJS.Platform;
}

export interface Isolation {
  dirs: RunDirs;
  /** Absolute path of the CLI (sudo's secure_path would not find a bare name). */
  claudePath: string;
  /** Absent when the separate-user layer is missing: the agent then runs as Pilot's user. */
  user?: AgentUser;
  sandboxAvailable: boolean;
  layers: Layer[];
  /** Takes the workspace back and undoes permission changes; safe to call twice. */
  handBack(): Promise<void>;
}

/** `claude` → the file PATH resolves it to, so the agent's user runs exactly what Pilot checked. */
export async function resolveExecutable(name: string, envPath = process.env.PATH ?? ''): Promise<string> {
  if (name.includes('/')) return path.resolve(name);
  for (const dir of envPath.split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // next PATH entry
    }
  }
  return name;
}

interface UserSetup {
  user: AgentUser;
  dirs: RunDirs;
  undo: Undo[];
}

/** Everything the agent's user needs; on any failure, undoes what it did and throws the reason. */
async function setUpUser(
  opts: PrepareOptions,
  user: AgentUser,
  tools: FsTools,
  claude: string,
): Promise<UserSetup> {
  const undo: Undo[] = [];
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
  try {
    undo.push(await openPath(path.dirname(await realpath(claude)), user, tools));
    const version = await runAs(tools.probe, user, claude, ['--version'], env);
    if (version.code !== 0) throw new Error(`${user.name} cannot run ${claude}: ${why(version)}`);
    const sudo = await runAs(tools.probe, user, 'sudo', ['-n', 'true'], env);
    if (sudo.code === 0) throw new Error(`${user.name} can use sudo; it must not`);
    const dirs = await makeRunDirs(agentBase(opts.runnerTemp), user, tools);
    undo.push(await openPath(dirs.root, user, tools));
    undo.push(await openPath(opts.workspace, user, tools));
    const lent = await lendWorkspace(opts.workspace, user, tools);
    if (!lent.ok) throw new Error(lent.reason);
    undo.push(lent.handBack);
    for (const dir of [opts.runnerTemp, ...(opts.runnerDirs ?? [])])
      undo.push(await closePath(dir, user, tools));
    const peek = await runAs(tools.probe, user, 'ls', [opts.runnerTemp], env);
    if (peek.code === 0) throw new Error(`${user.name} can still list RUNNER_TEMP (${opts.runnerTemp})`);
    return { user, dirs, undo };
  } catch (error) {
    await runAll(undo);
    throw error;
  }
}

async function runAll(undo: Undo[]): Promise<void> {
  const errors: string[] = [];
  for (const step of [...undo].reverse()) {
    try {
      await step();
    } catch (error) {
      errors.push(messageOf(error));
    }
  }
  if (errors.length) throw new Error(errors.join('; '));
}

export async function prepareIsolation(opts: PrepareOptions): Promise<Isolation> {
  const probe = opts.probe ?? defaultProbe();
  const privilege = await privilegeOf(probe);
  const acl = (await probe.run('sh', ['-c', 'command -v setfacl'])).code === 0;
  const tools: FsTools = { probe, privilege, acl };
  const claudePath = await resolveExecutable(opts.claudePath);
  const layers: Layer[] = [];
  let setup: UserSetup | undefined;
  const found = await ensureAgentUser(probe, privilege);
  if (found.ok) {
    try {
      setup = await setUpUser(opts, found.user, tools, claudePath);
      const how = found.user.via === 'sudo' ? 'sudo -u' : 'setuid';
      layers.push({
        name: 'separate user',
        ok: true,
        detail: `${found.user.name} (uid ${found.user.uid}, ${how})`,
      });
    } catch (error) {
      layers.push({ name: 'separate user', ok: false, detail: messageOf(error) });
    }
  } else layers.push({ name: 'separate user', ok: false, detail: found.reason });

  const user = setup?.user;
  const dirs = setup?.dirs ?? (await makeRunDirs(agentBase(opts.runnerTemp), undefined, tools));
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
  const sandbox = await sandboxSupport(
    user ? (command, args) => runAs(probe, user, command, args, env) : probe.run,
    opts.platform,
  );
  const fits = socketsFit(dirs.tmp);
  layers.push({
    name: 'sandbox',
    ok: sandbox.ok && fits,
    detail: !sandbox.ok
      ? sandbox.reason
      : fits
        ? 'Bash sandbox on, no unsandboxed escape'
        : `TMPDIR ${dirs.tmp} is too long for the sandbox's proxy sockets`,
  });
  let undo = [...(setup?.undo ?? []), () => removeTmp(dirs, tools)];
  return {
    dirs,
    claudePath,
    user,
    sandboxAvailable: sandbox.ok && fits,
    layers,
    async handBack() {
      const steps = undo;
      undo = [];
      await runAll(steps);
    },
  };
}
