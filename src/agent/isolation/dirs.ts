// The agent's per-run directories: HOME, TMPDIR and CLAUDE_CONFIG_DIR belong to the agent's user;
// Pilot's settings file sits one level up, in a directory only Pilot can write. Claude Code watches
// its settings files, so a file in a directory the agent owns could be swapped mid-run.
//
//   <dirname(RUNNER_TEMP)>/_pilot_agent/run-XXXX/   Pilot, 0755
//     settings.json                                 Pilot, 0644 (--settings)
//     home/                                         agent, 0700 (HOME)
//       .claude/                                    CLAUDE_CONFIG_DIR (transcripts live here)
//   /tmp/pilot-XXXXXX/                              agent, 0700 (TMPDIR)
//
// Not inside RUNNER_TEMP: the agent must not be able to enter it (checkout's credentials file).
// TMPDIR is short on purpose: the Bash sandbox puts its proxy sockets there
// (`claude-http-<32 hex>.sock`), and a Unix socket path longer than 108 bytes makes the sandbox
// fail with "Failed to create bridge sockets" — every Bash call is then refused.
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import type { AgentDirs } from '../env.js';
import { why } from './exec.js';
import { type AgentUser, asPrivileged } from './user.js';
import type { FsTools } from './workspace.js';

export interface RunDirs extends AgentDirs {
  root: string;
  settingsPath: string;
}

/** The root of short temporary directories; `/tmp` exists on every Linux and macOS runner. */
export const SHORT_TMP_ROOT = '/tmp';

/** Longest Unix socket path (sun_path) on Linux, including the terminating NUL. */
const SUN_PATH_MAX = 108;
/** What the sandbox appends to TMPDIR: `/claude-socks-<32 hex>.sock`. */
const SOCKET_NAME_LENGTH = '/claude-socks-'.length + 32 + '.sock'.length;

/** Whether the Bash sandbox can create its proxy sockets under `tmp`. */
export function socketsFit(tmp: string): boolean {
  return Buffer.byteLength(tmp) + SOCKET_NAME_LENGTH < SUN_PATH_MAX;
}

export function agentBase(runnerTemp: string): string {
  return path.join(path.dirname(path.resolve(runnerTemp)), '_pilot_agent');
}

/**
 * Root keeps access to anything, so as root the directory simply changes hands. Otherwise Pilot stays
 * the owner and the agent gets ACL entries (default ones too, for Pilot as well): Pilot must still
 * read and write the agent's config dir (restoring and saving its session) without root.
 */
async function giveTo(home: string, user: AgentUser, tools: FsTools): Promise<void> {
  const self = tools.probe.euid;
  const result =
    tools.privilege === 'root' || !tools.acl
      ? await asPrivileged(tools.probe, tools.privilege)('chown', ['-R', `${user.uid}:${user.gid}`, home])
      : await tools.probe.run('setfacl', [
          '-R',
          '-m',
          `u:${user.name}:rwX,d:u:${user.name}:rwX,d:u:${self}:rwX`,
          home,
        ]);
  if (result.code !== 0) throw new Error(`cannot give ${home} to ${user.name}: ${why(result)}`);
}

/** Creates a fresh set of directories; with a user, HOME and below are handed to it. */
export async function makeRunDirs(
  base: string,
  user: AgentUser | undefined,
  tools: FsTools,
): Promise<RunDirs> {
  await mkdir(base, { recursive: true, mode: 0o755 });
  const root = await mkdtemp(path.join(base, 'run-'));
  await chmod(root, 0o755);
  const home = path.join(root, 'home');
  const dirs: RunDirs = {
    root,
    home,
    configDir: path.join(home, '.claude'),
    tmp: await mkdtemp(path.join(SHORT_TMP_ROOT, 'pilot-')),
    settingsPath: path.join(root, 'settings.json'),
  };
  await mkdir(dirs.configDir, { recursive: true, mode: 0o700 });
  await chmod(dirs.tmp, 0o700);
  await chmod(home, 0o700);
  if (user) {
    await giveTo(home, user, tools);
    await giveTo(dirs.tmp, user, tools);
  }
  return dirs;
}

/**
 * Removes the agent's TMPDIR after the run. What the agent left there may be its own (ACL mode), so
 * the removal is best effort: a leftover under /tmp holds nothing of Pilot's.
 */
export async function removeTmp(dirs: RunDirs, tools: FsTools): Promise<void> {
  if (tools.privilege !== 'none')
    await asPrivileged(tools.probe, tools.privilege)('rm', ['-rf', '--', dirs.tmp]).catch(() => undefined);
  await rm(dirs.tmp, { recursive: true, force: true }).catch(() => undefined);
}
