import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runScript } from './downloads.js';
import { codeLines, passwordlessSudoViolations } from './rules.js';

const script = path.resolve(import.meta.dirname, '../../docker/setup-users.sh');

// What ghcr.io/actions/actions-runner ships (images/Dockerfile: `adduser … runner`, `usermod -aG sudo
// runner`, `usermod -aG docker runner`, then /etc/sudoers overwritten with the two lines below), plus
// the /etc/sudoers.d/runner drop-in that derived images add.
const BASE = {
  passwd: [
    'root:x:0:0:root:/root:/bin/bash',
    'ubuntu:x:1000:1000:Ubuntu:/home/ubuntu:/bin/bash',
    'runner:x:1001:1001:,,,:/home/runner:/bin/bash',
  ],
  group: ['root:x:0:', 'sudo:x:27:ubuntu,runner', 'ubuntu:x:1000:', 'runner:x:1001:', 'docker:x:123:runner'],
  gshadow: ['root:*::', 'sudo:*::ubuntu,runner', 'runner:!::', 'docker:!::runner'],
  shadow: ['root:*:19000:0:99999:7:::', 'runner:!:19000:0:99999:7:::'],
  sudoers: ['%sudo   ALL=(ALL:ALL) NOPASSWD:ALL', 'Defaults env_keep += "DEBIAN_FRONTEND"'],
  'sudoers.d/runner': ['runner ALL=(ALL) NOPASSWD: ALL'],
};

let root: string;

function etc(file: string): string {
  return path.join(root, 'etc', file);
}

function lines(file: string): string[] {
  return readFileSync(etc(file), 'utf8').split('\n').filter(Boolean);
}

/** The rules sudo would read: /etc/sudoers and every drop-in, comments and Defaults left out. */
function sudoRules(): string[] {
  const files = ['sudoers', ...readdirSync(etc('sudoers.d')).map((f) => `sudoers.d/${f}`)];
  return files
    .flatMap((file) => codeLines(readFileSync(etc(file), 'utf8')))
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('Defaults') && !line.startsWith('@include'));
}

function setup(env: Record<string, string> = {}) {
  return runScript(script, { PATH: process.env.PATH ?? '/usr/bin:/bin', ROOT: root, ...env });
}

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'pilot-setup-users-'));
  mkdirSync(path.join(root, 'etc/sudoers.d'), { recursive: true });
  for (const [file, content] of Object.entries(BASE)) writeFileSync(etc(file), `${content.join('\n')}\n`);
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('docker/setup-users.sh', () => {
  it("removes the base image's passwordless sudo and leaves only: runner may run commands as pilot-agent", async () => {
    const result = await setup();
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(sudoRules()).toEqual(['root ALL=(ALL:ALL) ALL', 'runner ALL=(pilot-agent) NOPASSWD: ALL']);
    expect(readdirSync(etc('sudoers.d'))).toEqual(['pilot-agent']);
    for (const file of ['sudoers', 'sudoers.d/pilot-agent']) {
      expect(passwordlessSudoViolations(readFileSync(etc(file), 'utf8'))).toEqual([]);
      expect(readFileSync(etc(file), 'utf8')).not.toMatch(/\(ALL(:ALL)?\)\s*NOPASSWD/);
      expect(statSync(etc(file)).mode & 0o777).toBe(0o440);
    }
    expect(readFileSync(etc('sudoers'), 'utf8')).toContain('@includedir /etc/sudoers.d');
  });

  it('takes the runner out of the sudo group, keeping the other members', async () => {
    await setup();
    expect(lines('group')).toContain('sudo:x:27:ubuntu');
    expect(lines('gshadow')).toContain('sudo:*::ubuntu');
    expect(lines('group')).toContain('docker:x:123:runner');
  });

  it('creates pilot-agent with uid 1002, no login shell, no password and a private home', async () => {
    await setup();
    expect(lines('passwd')).toContain(
      'pilot-agent:x:1002:1002:Pilot agent (unprivileged):/home/pilot-agent:/usr/sbin/nologin',
    );
    expect(lines('group')).toContain('pilot-agent:x:1002:');
    expect(lines('shadow')).toContain('pilot-agent:*::0:99999:7:::');
    expect(lines('group').filter((l) => l.split(':')[3]?.split(',').includes('pilot-agent'))).toEqual([]);
    expect(statSync(path.join(root, 'home/pilot-agent')).mode & 0o777).toBe(0o700);
    expect(lines('passwd').find((l) => l.startsWith('runner:'))).toBe(BASE.passwd[2]);
  });

  it('can run twice without adding the user again', async () => {
    await setup();
    const second = await setup();
    expect(second.code).toBe(0);
    expect(lines('passwd').filter((l) => l.startsWith('pilot-agent:'))).toHaveLength(1);
    expect(sudoRules()).toEqual(['root ALL=(ALL:ALL) ALL', 'runner ALL=(pilot-agent) NOPASSWD: ALL']);
  });

  it('refuses when uid 1002 already belongs to someone else', async () => {
    writeFileSync(
      etc('passwd'),
      `${[...BASE.passwd, 'other:x:1002:1002::/home/other:/bin/sh'].join('\n')}\n`,
    );
    const result = await setup();
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('uid 1002 is already taken by user other');
  });

  // visudo comes with sudo, which the runner image has; this machine may not.
  const visudo = spawnSync('sh', ['-c', 'command -v visudo']).status === 0;
  it.skipIf(!visudo)('writes sudoers files that visudo accepts', async () => {
    await setup();
    for (const file of ['sudoers', 'sudoers.d/pilot-agent']) {
      expect(spawnSync('visudo', ['-c', '-f', etc(file)]).status).toBe(0);
    }
  });

  it('refuses a root without the runner user', async () => {
    writeFileSync(etc('passwd'), 'root:x:0:0:root:/root:/bin/bash\n');
    const result = await setup();
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('user runner not found');
  });
});
