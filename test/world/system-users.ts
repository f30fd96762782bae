// The users Pilot really meets, created for real, for e2e runs of the built action as `runner`:
//   - root:   this machine as it is (self-hosted runner or container job running as root);
//   - hosted: a GitHub-hosted runner: `runner` (uid 1001) with passwordless sudo, no agent user yet
//             (Pilot creates it with `sudo useradd`);
//   - image:  the runner image: the base image's `runner` in the sudo group, then
//             docker/setup-users.sh run for real (pilot-agent uid 1002, sudo only runner → pilot-agent).
// The users live in a copy of /etc (and an empty /home) bind-mounted over the real ones inside a
// private mount namespace (`unshare --mount`) that only the action's steps enter: the machine's own
// /etc is never written, on a developer's machine or in CI, and removing the copy undoes everything.
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { World } from './index.js';
import type { RunOptions } from './runner.js';

export type IsolationMode = 'root' | 'hosted' | 'image';
export const ISOLATION_MODES: readonly IsolationMode[] = ['root', 'hosted', 'image'];

/** The hosted runner's and the runner image's job user. */
export const RUNNER = { name: 'runner', uid: 1001, gid: 1001, home: '/home/runner' } as const;

const SETUP_USERS = fileURLToPath(new URL('../../docker/setup-users.sh', import.meta.url));

export interface ModeFixture {
  mode: IsolationMode;
  /** The job user's home (a scratch directory mounted over /home for the steps). */
  home: string;
  /**
   * What world.run needs to start the steps in the mode's namespace as its job user; with
   * `hideSandbox`, PATH finds no bubblewrap, as on a machine without it; `env` is added to the step's.
   */
  runOptions(opts?: { hideSandbox?: boolean; env?: Record<string, string> }): Partial<RunOptions>;
  /** Hands the world's runner directories (workspace, RUNNER_TEMP, tool cache) and origin to the job user. */
  adopt(world: World): void;
  /** Removes the scratch /etc and /home (and with them the users and sudo rules). */
  close(): void;
}

function onPath(tool: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Why the modes cannot run here, or undefined when they can. */
export function systemUsersUnavailable(): string | undefined {
  if (process.platform !== 'linux') return `no mount namespaces on ${process.platform}`;
  if (process.geteuid?.() !== 0) return 'creating users needs root (CI runs as root)';
  const missing = ['unshare', 'nsenter', 'setpriv', 'sudo', 'useradd', 'setfacl', 'bwrap'].filter(
    (t) => !onPath(t),
  );
  if (missing.length)
    return `missing ${missing.join(', ')} (packages util-linux, sudo, passwd, acl, bubblewrap)`;
  return undefined;
}

/** Run as root inside the namespace before the users exist: start from the machine's /etc. */
const BASE = [
  // The machine may already have these users (root-mode runs create pilot-agent): start without them.
  // The machine's own pilot-agent (root-mode runs create it) is renamed, not removed: its uid stays
  // taken, so the agent user Pilot creates here cannot share a uid with agents other tests run now.
  "sed -i 's/^pilot-agent:/host-pilot-agent:/' /etc/passwd /etc/group /etc/shadow /etc/gshadow",
  'userdel -f runner 2>/dev/null || true',
  'groupdel -f runner 2>/dev/null || true',
];

const SETUP: Record<Exclude<IsolationMode, 'root'>, string[]> = {
  // actions/runner-images: `runner` has passwordless sudo through /etc/sudoers.d/runner.
  hosted: [
    `useradd --create-home --uid ${RUNNER.uid} --user-group --shell /bin/bash runner`,
    "printf 'runner ALL=(ALL) NOPASSWD:ALL\\n' > /etc/sudoers.d/runner",
    'chmod 0440 /etc/sudoers.d/runner',
  ],
  // ghcr.io/actions/actions-runner: `runner` in the sudo group with a blanket NOPASSWD rule, which
  // the image's setup-users.sh then takes away.
  image: [
    `useradd --create-home --uid ${RUNNER.uid} --user-group --groups sudo --shell /bin/bash runner`,
    "printf '%%sudo ALL=(ALL:ALL) NOPASSWD: ALL\\n' >> /etc/sudoers",
    `bash ${SETUP_USERS}`,
  ],
};

/**
 * Two persistent mount namespaces per mode (bind-mounted to files, entered with nsenter): one with
 * the scratch /home (and /etc in the sudo modes), one that also hides bubblewrap behind `false`.
 * nsenter and setpriv exec the next program directly: a shell in between would drop the inputs'
 * environment variables, whose names (`INPUT_GITHUB-TOKEN`) are not valid shell names.
 */
const NAMESPACE = 'mnt';

function mountsFor(mode: IsolationMode): string[] {
  return [
    'set -eu',
    ...(mode === 'root' ? [] : ['mount --bind "$1/etc" /etc']),
    'mount --bind "$1/home" /home',
  ];
}

/**
 * A PATH without bubblewrap, as on a machine where it is not installed: one directory of links to
 * every system program but bwrap. (Replacing bwrap with a failing program would not do: Claude Code
 * looks bwrap up on PATH and would still try it.)
 */
function pathWithoutSandbox(scratch: string): string {
  const bin = path.join(scratch, 'bin-without-bwrap');
  mkdirSync(bin, { mode: 0o755 });
  for (const dir of ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin']) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names)
      if (name !== 'bwrap' && !existsSync(path.join(bin, name)))
        symlinkSync(path.join(dir, name), path.join(bin, name));
  }
  return bin;
}

function sh(lines: string[], scratch: string, prefix: string[]): void {
  const [command, ...args] = [...prefix, 'sh', '-c', lines.join('\n'), 'sh', scratch];
  execFileSync(command as string, args, { stdio: ['ignore', 'pipe', 'pipe'] });
}

function nsFile(scratch: string, name: string): string {
  return path.join(scratch, 'ns', name);
}

function createNamespaces(mode: IsolationMode, scratch: string): void {
  const dir = path.join(scratch, 'ns');
  // A namespace can only be bound to a file on a private mount.
  sh(['set -eu', `mkdir ${dir}`, `mount --bind ${dir} ${dir}`, `mount --make-private ${dir}`], scratch, []);
  writeFileSync(nsFile(scratch, NAMESPACE), '');
  const unshare = ['unshare', `--mount=${nsFile(scratch, NAMESPACE)}`, '--propagation', 'private', '--'];
  sh(mountsFor(mode), scratch, unshare);
}

function removeNamespaces(scratch: string): void {
  for (const target of [nsFile(scratch, NAMESPACE), path.join(scratch, 'ns')])
    try {
      execFileSync('umount', [target], { stdio: 'ignore' });
    } catch {
      // never mounted
    }
}

function launcherFor(mode: IsolationMode, scratch: string): string[] {
  const ns = nsFile(scratch, NAMESPACE);
  const drop =
    mode === 'root'
      ? []
      : ['setpriv', `--reuid=${RUNNER.uid}`, `--regid=${RUNNER.gid}`, '--init-groups', '--'];
  return ['nsenter', `--mount=${ns}`, '--', ...drop];
}

/** Runs shell lines as root inside the mode's namespace ($1 is the scratch directory). */
function inNamespace(scratch: string, lines: string[]): void {
  sh(['set -eu', ...lines], scratch, ['nsenter', `--mount=${nsFile(scratch, NAMESPACE)}`, '--']);
}

/** A scratch /home (and a copy of /etc for the sudo modes) under /tmp, removed by close(). */
function makeScratch(mode: IsolationMode): string {
  const scratch = mkdtempSync('/tmp/pilot-users-');
  chmodSync(scratch, 0o755);
  execFileSync('mkdir', ['-m', '0755', path.join(scratch, 'home')]);
  if (mode === 'root') execFileSync('mkdir', ['-m', '0755', path.join(scratch, 'home', 'runner')]);
  else execFileSync('cp', ['-a', '/etc', path.join(scratch, 'etc')]);
  try {
    createNamespaces(mode, scratch);
    if (mode !== 'root') inNamespace(scratch, [...BASE, ...SETUP[mode]]);
  } catch (error) {
    removeNamespaces(scratch);
    rmSync(scratch, { recursive: true, force: true });
    const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new Error(`could not create the ${mode} users: ${stderr || (error as Error).message}`);
  }
  return scratch;
}

/** Creates the mode's users for real (see the top of this file). Throws when the machine cannot. */
export function createMode(mode: IsolationMode): ModeFixture {
  const scratch = makeScratch(mode);
  const runner = mode !== 'root';
  const withoutSandbox = pathWithoutSandbox(scratch);
  return {
    mode,
    home: path.join(scratch, 'home', 'runner'),
    runOptions: ({ hideSandbox = false, env = {} } = {}) => ({
      launcher: launcherFor(mode, scratch),
      ...(runner && { user: { uid: RUNNER.uid, gid: RUNNER.gid } }),
      extraEnv: {
        ...(runner && { HOME: RUNNER.home, USER: RUNNER.name }),
        ...(hideSandbox && { PATH: withoutSandbox }),
        ...env,
      },
    }),
    adopt(world) {
      if (!runner) return;
      // The world's directories are made by the test (root): the job user owns its work directory.
      chmodSync(world.dir, 0o755);
      execFileSync('chown', ['-R', `${RUNNER.uid}:${RUNNER.gid}`, path.join(world.dir, 'work')]);
      // Origin plays github.com: the job user may push to it, and its git trusts it (root owns it).
      const origin = world.git.origin;
      execFileSync('setfacl', ['-R', '-m', `u:${RUNNER.uid}:rwX,d:u:${RUNNER.uid}:rwX`, origin]);
      inNamespace(scratch, [`git config --system --add safe.directory ${origin}`]);
    },
    close() {
      removeNamespaces(scratch);
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}
