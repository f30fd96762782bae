// Lending the workspace to the agent's user while it works, and taking it back before Pilot commits.
// `.git` is never lent: a hook or `core.hooksPath` planted there would run inside Pilot's own
// `git commit`, with the token in reach. Git refuses a repository owned by another user ("dubious
// ownership"), so Pilot's git calls made while the workspace is lent use gitSafeDirectoryEnv.
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { type CommandResult, why } from './exec.js';
import { type AgentUser, asPrivileged, type Privilege, runAs, type UserProbe } from './user.js';

export interface FsTools {
  probe: UserProbe;
  privilege: Privilege;
  /** `setfacl` is installed (the runner image ships `acl`). */
  acl: boolean;
}

export type Undo = () => Promise<void>;

export type Lent = { ok: true; handBack: Undo } | { ok: false; reason: string };

/** Runs as Pilot, raised to root only where Pilot does not own the file. */
function fsCommand(tools: FsTools, owner: number) {
  const own = owner === tools.probe.euid;
  return (command: string, args: string[]): Promise<CommandResult> =>
    own ? tools.probe.run(command, args) : asPrivileged(tools.probe, tools.privilege)(command, args);
}

function canTraverse(mode: number, uid: number, gid: number, user: AgentUser): boolean {
  if (uid === user.uid) return (mode & 0o100) !== 0;
  if (gid === user.gid) return (mode & 0o010) !== 0;
  return (mode & 0o001) !== 0;
}

/** Every directory from / down to `target` (inclusive). */
function chain(target: string): string[] {
  const dirs: string[] = [];
  for (let dir = path.resolve(target); ; dir = path.dirname(dir)) {
    dirs.unshift(dir);
    if (dir === path.dirname(dir)) return dirs;
  }
}

/**
 * Lets the agent's user walk down to `target`: an ACL entry for that user where setfacl exists,
 * else the "others may search" bit. Returns how to undo what changed on `target` itself.
 *
 * Ancestors stay searchable: other jobs on the same machine (several runners under one directory,
 * parallel runs) may share them, and taking the bit back there would cut off another job's agent in
 * the middle of its run. Search without read lists nothing; RUNNER_TEMP and the runner's own
 * directories are shut separately.
 */
export async function openPath(target: string, user: AgentUser, tools: FsTools): Promise<Undo> {
  const undo: Undo[] = [];
  const own = path.resolve(target);
  for (const dir of chain(target)) {
    const st = await stat(dir);
    if (canTraverse(st.mode, st.uid, st.gid, user)) continue;
    const run = fsCommand(tools, st.uid);
    const result = tools.acl
      ? await run('setfacl', ['-m', `u:${user.name}:x`, dir])
      : await run('chmod', ['o+x', dir]);
    if (result.code !== 0) throw new Error(`cannot let ${user.name} into ${dir}: ${why(result)}`);
    if (dir !== own) continue;
    const mode = (st.mode & 0o7777).toString(8);
    undo.unshift(async () => {
      await (tools.acl ? run('setfacl', ['-x', `u:${user.name}`, dir]) : run('chmod', [mode, dir]));
    });
  }
  return async () => {
    for (const step of undo) await step();
  };
}

/**
 * Shuts the agent's user out of `dir` (RUNNER_TEMP, the runner's own files): opening the path to the
 * workspace may have opened its parents, and files in there are often world-readable. An ACL entry
 * with no rights where setfacl exists, else no rights for "others" (and the group, if it is the
 * agent's). Returns how to restore it; a directory that does not exist needs nothing.
 */
export async function closePath(dir: string, user: AgentUser, tools: FsTools): Promise<Undo> {
  const st = await stat(dir).catch(() => undefined);
  if (!st?.isDirectory() || st.uid === user.uid) return async () => {};
  const run = fsCommand(tools, st.uid);
  const mode = (st.mode & 0o7777).toString(8);
  const strip = st.gid === user.gid ? 'go-rwx' : 'o-rwx';
  const result = tools.acl
    ? await run('setfacl', ['-m', `u:${user.name}:-`, dir])
    : await run('chmod', [strip, dir]);
  if (result.code !== 0) throw new Error(`cannot shut ${user.name} out of ${dir}: ${why(result)}`);
  return async () => {
    await (tools.acl ? run('setfacl', ['-x', `u:${user.name}`, dir]) : run('chmod', [mode, dir]));
  };
}

/** `find <ws> -path <ws>/.git -prune -o <action>`: everything in the working tree except .git. */
function outsideGit(workspace: string, action: string[]): string[] {
  return [workspace, '-path', path.join(workspace, '.git'), '-prune', '-o', ...action];
}

async function lendByOwnership(workspace: string, user: AgentUser, tools: FsTools): Promise<Lent> {
  const owner = await stat(workspace);
  const run = asPrivileged(tools.probe, tools.privilege);
  const given = await run(
    'find',
    outsideGit(workspace, ['-exec', 'chown', '-h', `${user.uid}:${user.gid}`, '{}', '+']),
  );
  const handBack = async () => {
    const back = await run('chown', ['-R', '-h', `${owner.uid}:${owner.gid}`, workspace]);
    if (back.code !== 0) throw new Error(`could not take the workspace back from ${user.name}: ${why(back)}`);
  };
  if (given.code === 0) return { ok: true, handBack };
  await handBack();
  return { ok: false, reason: `could not give the workspace to ${user.name}: ${why(given)}` };
}

/**
 * Without root (the runner image): ACL entries for the agent, and default entries on directories so
 * that what it creates stays writable for Pilot. Files the agent created stay its own afterwards.
 */
async function lendByAcl(workspace: string, user: AgentUser, tools: FsTools): Promise<Lent> {
  const run = tools.probe.run;
  const self = tools.probe.euid;
  const grant = await run(
    'find',
    outsideGit(workspace, ['-exec', 'setfacl', '-m', `u:${user.name}:rwX`, '{}', '+']),
  );
  const defaults = `d:u:${user.name}:rwX,d:u:${self}:rwX`;
  const inherit = await run(
    'find',
    outsideGit(workspace, ['-type', 'd', '-exec', 'setfacl', '-m', defaults, '{}', '+']),
  );
  const handBack = async () => {
    // The mask of a file the agent created follows its mode; widen it so Pilot's default entry counts.
    await runAs(
      tools.probe,
      user,
      'find',
      [workspace, '-user', user.name, '-exec', 'chmod', 'g+rwX', '{}', '+'],
      {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
      },
    );
    await run(
      'find',
      outsideGit(workspace, [
        '-user',
        String(self),
        '-exec',
        'setfacl',
        '-x',
        `u:${user.name},d:u:${user.name}`,
        '{}',
        '+',
      ]),
    );
  };
  if (grant.code === 0 && inherit.code === 0) return { ok: true, handBack };
  await handBack();
  return {
    ok: false,
    reason: `could not lend the workspace with setfacl: ${why(grant.code ? grant : inherit)}`,
  };
}

/** Gives the agent write access to the working tree (not .git) until `handBack`. */
export async function lendWorkspace(workspace: string, user: AgentUser, tools: FsTools): Promise<Lent> {
  if (tools.privilege !== 'none') return lendByOwnership(workspace, user, tools);
  if (tools.acl) return lendByAcl(workspace, user, tools);
  return {
    ok: false,
    reason: 'lending the workspace needs root, passwordless sudo or setfacl (package acl)',
  };
}

/** Environment for Pilot's own git while the workspace is lent: trust it for this process only. */
export function gitSafeDirectoryEnv(workspace: string): Record<string, string> {
  const quoted = `'safe.directory=${workspace.replaceAll("'", "'\\''")}'`;
  return { GIT_CONFIG_PARAMETERS: quoted };
}
