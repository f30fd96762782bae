import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { checkoutExtraHeader, createGitWorld, type GitWorldOptions } from './git.js';

const TOKEN = 'ghs_probeTokenForTheGitWorld0001';
const roots: string[] = [];

async function world(extra: Partial<GitWorldOptions> = {}) {
  const root = await mkdtemp(path.join(os.tmpdir(), 'git-world-'));
  roots.push(root);
  return createGitWorld({ root, owner: 'octo-org', repo: 'sample', token: TOKEN, ...extra });
}

afterEach(async () => {
  for (const root of roots.splice(0)) await rm(root, { recursive: true, force: true });
});

describe('git world', () => {
  it('seeds origin with the sample project on main', async () => {
    const w = await world();
    expect(await w.branches()).toEqual(['main']);
    expect(JSON.parse(await w.show('main', 'package.json')).scripts.test).toBeTruthy();
    expect(await w.show('main', 'src/greet.js')).toContain('export function greet');
    expect(await w.show('main', 'CLAUDE.md')).toContain('npm test');
    expect(await w.log('main')).toEqual(['Initial commit']);
  });

  it('ships a sample project whose own test passes', async () => {
    const w = await world();
    // TAP reporter on every Node version (Node 24 defaults to the spec reporter).
    const { stdout } = await promisify(execFile)(process.execPath, ['--test', '--test-reporter=tap'], {
      cwd: w.workspace,
    });
    expect(stdout).toMatch(/# pass 1/);
  });

  it('uses the given files and default branch', async () => {
    const w = await world({ files: { 'a.txt': 'A\n' }, defaultBranch: 'trunk' });
    expect(await w.branches()).toEqual(['trunk']);
    expect(await w.show('trunk', 'a.txt')).toBe('A\n');
    expect((await w.git(['rev-parse', '--abbrev-ref', 'HEAD'])).trim()).toBe('trunk');
  });

  it('checks the workspace out as a shallow clone of the default branch tracking origin', async () => {
    const w = await world();
    expect(w.originUrl.startsWith('file://')).toBe(true);
    expect((await w.git(['rev-parse', '--is-shallow-repository'])).trim()).toBe('true');
    expect((await w.git(['rev-parse', '--abbrev-ref', 'HEAD'])).trim()).toBe('main');
    expect((await w.git(['rev-parse', '--abbrev-ref', 'main@{upstream}'])).trim()).toBe('origin/main');
    expect((await w.git(['rev-parse', 'HEAD'])).trim()).toBe(await w.headSha());
    expect((await w.git(['remote', 'get-url', 'origin'])).trim()).toBe(w.originUrl);
    expect(await readFile(path.join(w.workspace, 'README.md'), 'utf8')).toContain('# sample');
  });

  it('stays shallow after more commits land on origin', async () => {
    const w = await world();
    await w.git([
      '-c',
      'user.name=t',
      '-c',
      'user.email=t@example.com',
      'commit',
      '--allow-empty',
      '-m',
      'two',
    ]);
    await w.git(['push', '--quiet', 'origin', 'HEAD:main']);
    expect(await w.log('main')).toEqual(['two', 'Initial commit']);
    expect((await w.git(['rev-list', '--count', 'HEAD'])).trim()).toBe('2');
    expect((await w.git(['rev-list', '--count', 'HEAD~1'])).trim()).toBe('1'); // the graft ends history
  });

  it('persists credentials like checkout v6: a RUNNER_TEMP file included through includeIf.gitdir', async () => {
    const w = await world({ credentials: 'v6' });
    expect(w.credentialFile).toBeDefined();
    const file = w.credentialFile as string;
    expect(path.dirname(file)).toBe(w.runnerTemp);
    expect(path.basename(file)).toMatch(/^git-credentials-[0-9a-f-]{36}\.config$/);
    expect(await readFile(file, 'utf8')).toBe(
      `[http "https://github.com/"]\n\textraheader = ${w.extraHeader}\n`,
    );
    expect(w.extraHeader).toBe(
      `AUTHORIZATION: basic ${Buffer.from(`x-access-token:${TOKEN}`).toString('base64')}`,
    );

    const local = await w.git(['config', '--local', '--get-regexp', '^includeif\\.']);
    expect(local).toContain(`includeif.gitdir:${w.workspace}/.git.path ${file}`);
    expect(local).toContain('includeif.gitdir:/github/workspace/.git.path /github/runner_temp/');
    // The token is not in .git/config itself, yet git in the workspace sees it.
    expect(await readFile(path.join(w.workspace, '.git', 'config'), 'utf8')).not.toContain(TOKEN);
    expect((await w.git(['config', '--get', 'http.https://github.com/.extraheader'])).trim()).toBe(
      checkoutExtraHeader(TOKEN),
    );
  });

  it('persists credentials the legacy way: the header directly in .git/config', async () => {
    const w = await world({ credentials: 'legacy' });
    expect(w.credentialFile).toBeUndefined();
    const config = await readFile(path.join(w.workspace, '.git', 'config'), 'utf8');
    expect(config).toContain('[http "https://github.com/"]');
    expect(config).toContain(`extraheader = ${checkoutExtraHeader(TOKEN)}`);
    expect((await w.git(['config', '--local', '--get', 'http.https://github.com/.extraheader'])).trim()).toBe(
      w.extraHeader,
    );
  });

  it('persists nothing when credentials are off', async () => {
    const w = await world({ credentials: 'none' });
    expect(w.credentialFile).toBeUndefined();
    await expect(w.git(['config', '--get', 'http.https://github.com/.extraheader'])).rejects.toThrow();
    expect(existsSync(w.runnerTemp)).toBe(true);
  });

  it('accepts a pushed branch from the shallow workspace', async () => {
    const w = await world();
    await w.git(['checkout', '--quiet', '-b', 'pilot/issue-1-hello']);
    await writeFile(path.join(w.workspace, 'src', 'greet.js'), "export const greet = (n) => 'Hi, ' + n;\n");
    await w.git(['-c', 'user.name=Pilot', '-c', 'user.email=pilot@example.com', 'commit', '-qam', 'Say hi']);
    await w.git(['push', '--quiet', 'origin', 'HEAD:refs/heads/pilot/issue-1-hello']);

    expect(await w.branches()).toEqual(['main', 'pilot/issue-1-hello']);
    expect(await w.show('pilot/issue-1-hello', 'src/greet.js')).toContain('Hi, ');
    expect(await w.log('pilot/issue-1-hello')).toEqual(['Say hi', 'Initial commit']);
    expect(await w.show('main', 'src/greet.js')).toContain('Hello, ');
  });
});
