// The push guard against a real git origin: what a push would publish is checked, and a refusal
// leaves origin untouched and names paths and file:line without the secret.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGit } from '../../src/git/git.js';
import { commitPaths, push } from '../../src/pipeline/commit-push.js';
import { describeRefusal, PushRefused } from '../../src/security/outgoing.js';
import { protectionRules } from '../../src/security/protected-paths.js';
import { registerSecret, resetSecrets } from '../../src/security/redact.js';
import { createGitWorld, type GitWorld } from '../world/git.js';

const TOKEN = 'ghs_outgoingTestToken0123456789abcdef';
const ID = { name: 'Pilot', email: 'pilot@example.com' };
const RULES = protectionRules({ configPath: '.github/pilot.yml', protectedPaths: [] });
let dir: string;
let world: GitWorld;

beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'pilot-outgoing-'));
  world = await createGitWorld({ root: dir, owner: 'o', repo: 'r', token: TOKEN, credentials: 'none' });
  registerSecret(TOKEN);
});

afterEach(() => {
  resetSecrets();
  rmSync(dir, { recursive: true, force: true });
});

function gitIn() {
  return createGit(world.workspace, {
    source: { PATH: process.env.PATH, HOME: dir, GIT_CONFIG_GLOBAL: '/dev/null' },
  });
}

function put(file: string, content: string) {
  mkdirSync(path.dirname(path.join(world.workspace, file)), { recursive: true });
  writeFileSync(path.join(world.workspace, file), content);
}

async function commitAndPush(files: Record<string, string>): Promise<unknown> {
  const git = gitIn();
  await git.run(['checkout', '-B', 'pilot/issue-1-x']);
  for (const [f, c] of Object.entries(files)) put(f, c);
  await commitPaths(git, Object.keys(files), 'change', ID);
  return push(git, { branch: 'pilot/issue-1-x', issue: 1, auth: {}, rules: RULES }).then(
    () => null,
    (e: unknown) => e,
  );
}

describe('push refuses what must not leave the runner', () => {
  it('pushes an ordinary change', async () => {
    expect(await commitAndPush({ 'src/farewell.js': 'export const bye = 1;\n' })).toBeNull();
    expect(await world.branches()).toContain('pilot/issue-1-x');
  });

  it("refuses a file holding Pilot's token, naming file and line but not the value", async () => {
    const error = await commitAndPush({ 'src/leak.js': `// a\n// b\nconst t = '${TOKEN}';\n` });
    expect(error).toBeInstanceOf(PushRefused);
    const message = (error as Error).message;
    expect(message).toContain('`src/leak.js:3`');
    expect(message).not.toContain(TOKEN);
    expect(message).not.toContain(TOKEN.slice(4, 20));
    expect(await world.branches()).not.toContain('pilot/issue-1-x');
  });

  it('refuses a base64 basic-auth form of the token too', async () => {
    const basic = Buffer.from(`x-access-token:${TOKEN}`).toString('base64');
    const error = await commitAndPush({ 'notes.txt': `AUTHORIZATION: basic ${basic}\n` });
    expect((error as Error).message).toContain('`notes.txt:1`');
  });

  it('refuses the token written base64- or hex-encoded', async () => {
    const b64 = Buffer.from(TOKEN).toString('base64');
    const hex = Buffer.from(TOKEN).toString('hex');
    const error = await commitAndPush({ 'data.json': `{"a": "${b64}",\n"b": "${hex}"}\n` });
    expect((error as Error).message).toContain('`data.json:1`');
    expect((error as Error).message).toContain('`data.json:2`');
  });

  it('refuses a workflow change and names the path', async () => {
    const error = await commitAndPush({ '.github/workflows/evil.yml': 'on: push\n', 'src/ok.js': '1;\n' });
    expect(error).toBeInstanceOf(PushRefused);
    expect((error as PushRefused).paths).toEqual(['.github/workflows/evil.yml']);
    expect((error as Error).message).toContain('`.github/workflows/evil.yml`');
    expect(await world.branches()).not.toContain('pilot/issue-1-x');
  });

  it('refuses deleting a protected file as well', async () => {
    const git = gitIn();
    put('CLAUDE.md', 'rules\n');
    await commitPaths(git, ['CLAUDE.md'], 'seed', ID);
    await git.run(['push', 'origin', 'HEAD:refs/heads/main']);
    await git.run(['fetch', 'origin']);
    await git.run(['checkout', '-B', 'pilot/issue-1-x']);
    rmSync(path.join(world.workspace, 'CLAUDE.md'));
    await commitPaths(git, ['CLAUDE.md'], 'drop rules', ID);
    const error = await push(git, { branch: 'pilot/issue-1-x', issue: 1, auth: {}, rules: RULES }).catch(
      (e: unknown) => e,
    );
    expect((error as PushRefused).paths).toEqual(['CLAUDE.md']);
  });

  it('checks only commits origin does not have yet', async () => {
    // A secret already on the default branch is someone else's problem, not this push's.
    const git = gitIn();
    put('old.txt', 'AKIAIOSFODNN7EXAMPLE\n');
    await commitPaths(git, ['old.txt'], 'old', ID);
    await git.run(['push', 'origin', 'HEAD:refs/heads/main']);
    await git.run(['fetch', 'origin']);
    expect(await commitAndPush({ 'src/new.js': 'ok;\n' })).toBeNull();
  });
});

describe('describeRefusal', () => {
  it('lists each file:line once with every kind found there', () => {
    const text = describeRefusal(
      [],
      [
        { file: 'a.js', line: 2, kind: 'a secret value Pilot holds' },
        { file: 'a.js', line: 2, kind: 'GitHub token' },
        { file: 'b.env', line: 1, kind: 'AWS access key id' },
      ],
    );
    expect(text).toContain(
      '`a.js:2` (a secret value Pilot holds, GitHub token), `b.env:1` (AWS access key id)',
    );
  });
});
