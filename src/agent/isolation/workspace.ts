// The path down to the workspace and the directories shut to the agent (RUNNER_TEMP, the runner's
// own files). Lending the working tree itself is lend.ts.
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { type CommandResult, why } from './exec.js';
import { type AgentUser, asPrivileged, type Privilege, type UserProbe } from './user.js';

export interface FsTools {
  probe: UserProbe;
  privilege: Privilege;
  /** `setfacl` is installed (the runner image ships `acl`). */
  acl: boolean;
}

export type Undo = () => Promise<void>;

/** Runs as Pilot, raised to root only where Pilot does not own the file. */
export function fsCommand(tools: FsTools, owner: number) {
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
