// Lending the working tree to the agent's user while it works, and taking it back before Pilot commits.
// Lent: the tracked files and the directories holding them, below the root, plus whatever the agent
// creates. Never lent:
// - `.git`: a hook or config planted there would run inside Pilot's own git, with the token in reach.
// - the workspace root: whoever may rename entries in it can `mv .git x && cp -r x .git` and own the
//   copy. The root stays Pilot's; the agent may add entries to it, but the sticky bit (as on /tmp)
//   keeps it from renaming or removing one it does not own, `.git` among them. With the root and
//   `.git` both Pilot's, Pilot's git needs no `safe.directory`.
// - files earlier steps left untracked (build output, a cloud credentials file an auth action wrote
//   into the workspace): the agent may read what any user may, and change none of it.
// Nothing is lent through a symlink: `chown -h` changes the link, and a link is never given an ACL
// (setfacl would follow it to whatever file it names).
import { lstatSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { messageOf } from '../../errors.js';
import { createGit } from '../../git/git.js';
import { why } from './exec.js';
import { type AgentUser, asPrivileged, runAs } from './user.js';
import { type FsTools, fsCommand, type Undo } from './workspace.js';

export type Lent = { ok: true; handBack: Undo } | { ok: false; reason: string };

interface Lendable {
  dirs: string[];
  /** Tracked files that exist (absolute); links among them are changed with -h only. */
  files: string[];
  links: string[];
}

function isRealDir(file: string): boolean {
  try {
    return lstatSync(file).isDirectory();
  } catch {
    return false;
  }
}

/** Kind of a tracked path on disk: a file, a symlink, or absent/other (a submodule's directory). */
function kindOf(file: string): 'file' | 'link' | undefined {
  try {
    const st = lstatSync(file);
    return st.isSymbolicLink() ? 'link' : st.isFile() ? 'file' : undefined;
  } catch {
    return undefined;
  }
}

/** Tracked paths and the directories holding them; a path below a directory that is now a link is skipped. */
export async function lendablePaths(workspace: string): Promise<Lendable> {
  const { stdout } = await createGit(workspace).run(['ls-files', '-z']);
  const real = new Map<string, boolean>();
  const dirs = new Set<string>();
  const lendable: Lendable = { dirs: [], files: [], links: [] };
  for (const rel of stdout.split('\0').filter(Boolean)) {
    const parts = rel.split('/');
    const chain = parts.slice(0, -1).map((_, i) => path.join(workspace, ...parts.slice(0, i + 1)));
    for (const dir of chain) if (!real.has(dir)) real.set(dir, isRealDir(dir));
    if (!chain.every((dir) => real.get(dir))) continue;
    const file = path.join(workspace, rel);
    const kind = kindOf(file);
    if (!kind) continue;
    for (const dir of chain) dirs.add(dir);
    (kind === 'link' ? lendable.links : lendable.files).push(file);
  }
  lendable.dirs = [...dirs];
  return lendable;
}

type Run = (command: string, args: string[]) => ReturnType<FsTools['probe']['run']>;

/** `command ...fixed path…` in slices, so a large repository stays under the argument-size limit. */
async function eachSlice(run: Run, command: string, fixed: string[], paths: string[]): Promise<void> {
  for (let i = 0; i < paths.length; i += 200) {
    const result = await run(command, [...fixed, ...paths.slice(i, i + 200)]);
    if (result.code !== 0) throw new Error(`${command} failed: ${why(result)}`);
  }
}

/**
 * Lets the agent add entries to the root without owning it: an ACL entry (with default entries so
 * Pilot can read what it creates) or the agent's group, and the sticky bit. Returns the undo.
 */
async function shareRoot(workspace: string, user: AgentUser, tools: FsTools): Promise<Undo> {
  const st = await stat(workspace);
  const run = fsCommand(tools, st.uid);
  const mode = (st.mode & 0o7777).toString(8);
  const undo: Undo = async () => {
    await run('chmod', [mode, workspace]);
    await (tools.acl
      ? run('setfacl', ['-x', `u:${user.name},d:u:${user.name}`, workspace])
      : run('chgrp', [String(st.gid), workspace]));
  };
  const steps: Array<[string, string[]]> = tools.acl
    ? [['setfacl', ['-m', `u:${user.name}:rwx,d:u:${user.name}:rwX,d:u:${tools.probe.euid}:rwX`, workspace]]]
    : [
        ['chgrp', [String(user.gid), workspace]],
        ['chmod', ['g+rwx', workspace]],
      ];
  for (const [command, args] of [...steps, ['chmod', ['+t', workspace]] as [string, string[]]]) {
    const result = await run(command, args);
    if (result.code === 0) continue;
    await undo();
    throw new Error(`cannot share the workspace root with ${user.name}: ${why(result)}`);
  }
  return undo;
}

/** `find <ws> -mindepth 1 -path <ws>/.git -prune -o <action>`: below the root, except .git. */
function belowRoot(workspace: string, action: string[]): string[] {
  return [workspace, '-mindepth', '1', '-path', path.join(workspace, '.git'), '-prune', '-o', ...action];
}

async function lendByOwnership(workspace: string, user: AgentUser, tools: FsTools): Promise<Lent> {
  const owner = await stat(workspace);
  const run = asPrivileged(tools.probe, tools.privilege);
  let undoRoot: Undo = async () => {};
  const handBack = async () => {
    await undoRoot();
    // Everything the agent's user owns now: what was lent and what it created.
    const back = await run(
      'find',
      belowRoot(workspace, [
        '-user',
        String(user.uid),
        '-exec',
        'chown',
        '-h',
        `${owner.uid}:${owner.gid}`,
        '{}',
        '+',
      ]),
    );
    if (back.code !== 0) throw new Error(`could not take the workspace back from ${user.name}: ${why(back)}`);
  };
  try {
    const { dirs, files, links } = await lendablePaths(workspace);
    await eachSlice(run, 'chown', ['-h', `${user.uid}:${user.gid}`, '--'], [...dirs, ...files, ...links]);
    undoRoot = await shareRoot(workspace, user, tools);
    return { ok: true, handBack };
  } catch (error) {
    await handBack();
    return { ok: false, reason: `could not give the workspace to ${user.name}: ${messageOf(error)}` };
  }
}

/**
 * Without root (the runner image): ACL entries for the agent, and default entries on directories so
 * that what it creates stays writable for Pilot. Files the agent created stay its own afterwards.
 */
async function lendByAcl(workspace: string, user: AgentUser, tools: FsTools): Promise<Lent> {
  const run = tools.probe.run;
  const self = tools.probe.euid;
  let undoRoot: Undo = async () => {};
  const handBack = async () => {
    await undoRoot();
    // The mask of a file the agent created follows its mode; widen it so Pilot's default entry counts.
    await runAs(
      tools.probe,
      user,
      'find',
      [workspace, '-mindepth', '1', '-user', user.name, '-exec', 'chmod', 'g+rwX', '{}', '+'],
      {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
      },
    );
    await run(
      'find',
      belowRoot(workspace, [
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
  try {
    const { dirs, files } = await lendablePaths(workspace);
    await eachSlice(run, 'setfacl', ['-m', `u:${user.name}:rwX`], [...dirs, ...files]);
    await eachSlice(run, 'setfacl', ['-m', `d:u:${user.name}:rwX,d:u:${self}:rwX`], dirs);
    undoRoot = await shareRoot(workspace, user, tools);
    return { ok: true, handBack };
  } catch (error) {
    await handBack();
    return { ok: false, reason: `could not lend the workspace with setfacl: ${messageOf(error)}` };
  }
}

/** Gives the agent write access to the tracked working tree (not the root, not .git) until `handBack`. */
export async function lendWorkspace(workspace: string, user: AgentUser, tools: FsTools): Promise<Lent> {
  if (tools.privilege !== 'none') return lendByOwnership(workspace, user, tools);
  if (tools.acl) return lendByAcl(workspace, user, tools);
  return {
    ok: false,
    reason: 'lending the workspace needs root, passwordless sudo or setfacl (package acl)',
  };
}
