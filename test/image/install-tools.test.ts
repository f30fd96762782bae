import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  GH_VERSION,
  makeGhRelease,
  makeNodeRelease,
  NODE_VERSION,
  packFakeClaudeCode,
  runScript,
  type StaticServer,
  serveDirectory,
} from './downloads.js';

const script = path.resolve(import.meta.dirname, '../../docker/install-tools.sh');
const CLAUDE_CODE_VERSION = '2.1.331';

let work: string;
let server: StaticServer;
let goodClaude: string;
let wrongClaude: string;

// One directory per scenario: <work>/www/<scenario>/{node,gh}/v<version>/...
function scenario(name: string, tamper?: (dirs: { node: string; gh: string }) => void) {
  const dirs = { node: path.join(work, 'www', name, 'node'), gh: path.join(work, 'www', name, 'gh') };
  const scratch = path.join(work, 'scratch', name);
  makeNodeRelease(dirs.node, scratch);
  makeGhRelease(dirs.gh, scratch);
  tamper?.(dirs);
  return { NODE_DIST_URL: `${server.url}/${name}/node`, GH_DIST_URL: `${server.url}/${name}/gh` };
}

function prefixFor(name: string): string {
  return path.join(work, 'prefix', name);
}

function install(name: string, urls: Record<string, string>, extra: Record<string, string> = {}) {
  return runScript(script, {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: path.join(work, 'home'),
    PREFIX: prefixFor(name),
    TARGETARCH: 'amd64',
    NODE_VERSION,
    GH_VERSION,
    CLAUDE_CODE_VERSION,
    CLAUDE_CODE_PACKAGE: goodClaude,
    // Nothing listens here: if npm tried the registry, the install would fail instead of going online.
    npm_config_registry: 'http://127.0.0.1:9/',
    npm_config_offline: 'true',
    ...urls,
    ...extra,
  });
}

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'pilot-install-tools-'));
  mkdirSync(path.join(work, 'home'));
  mkdirSync(path.join(work, 'scratch'));
  server = await serveDirectory(path.join(work, 'www'));
  goodClaude = packFakeClaudeCode(path.join(work, 'scratch'), CLAUDE_CODE_VERSION);
  wrongClaude = packFakeClaudeCode(path.join(work, 'scratch'), '2.1.330');
});

afterAll(async () => {
  await server?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('docker/install-tools.sh', () => {
  it('installs node, npm, gh and the pinned claude into PREFIX from checksum-verified downloads', async () => {
    const result = await install('ok', scenario('ok'));
    expect(result.stderr).not.toMatch(/error:/);
    expect(result.code).toBe(0);
    const bin = path.join(prefixFor('ok'), 'bin');
    expect(
      execFileSync(path.join(bin, 'node'), ['-e', 'process.stdout.write("ran")'], { encoding: 'utf8' }),
    ).toBe('ran');
    expect(existsSync(path.join(bin, 'npm'))).toBe(true);
    expect(execFileSync(path.join(bin, 'gh'), { encoding: 'utf8' })).toContain(`gh version ${GH_VERSION}`);
    const env = { ...process.env, PATH: `${bin}:${process.env.PATH}` };
    expect(execFileSync(path.join(bin, 'claude'), ['--version'], { encoding: 'utf8', env })).toBe(
      `${CLAUDE_CODE_VERSION} (Claude Code)\n`,
    );
    const pkg = path.join(prefixFor('ok'), 'lib/node_modules/@anthropic-ai/claude-code/package.json');
    expect(JSON.parse(readFileSync(pkg, 'utf8')).version).toBe(CLAUDE_CODE_VERSION);
    expect(readFileSync(path.join(prefixFor('ok'), 'include/node/node_version.h'), 'utf8')).toContain(
      NODE_VERSION,
    );
    expect(existsSync(path.join(prefixFor('ok'), 'README.md'))).toBe(false);
    expect(result.stdout).toContain(`checksum ok: node-v${NODE_VERSION}-linux-x64.tar.gz`);
    expect(result.stdout).toContain(`checksum ok: gh_${GH_VERSION}_linux_amd64.tar.gz`);
    expect(server.requests).toEqual(
      expect.arrayContaining([
        `/ok/node/v${NODE_VERSION}/SHASUMS256.txt`,
        `/ok/gh/v${GH_VERSION}/gh_${GH_VERSION}_checksums.txt`,
      ]),
    );
  });

  it('refuses a node archive that does not match SHASUMS256.txt and installs nothing', async () => {
    const urls = scenario('tampered-node', ({ node }) => {
      const archive = path.join(node, `v${NODE_VERSION}`, `node-v${NODE_VERSION}-linux-x64.tar.gz`);
      writeFileSync(archive, Buffer.concat([readFileSync(archive), Buffer.from('tampered')]));
    });
    const result = await install('tampered-node', urls);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(
      `install-tools: error: checksum mismatch for node-v${NODE_VERSION}-linux-x64.tar.gz`,
    );
    expect(result.stderr).toContain('refusing to install it');
    expect(existsSync(path.join(prefixFor('tampered-node'), 'bin/node'))).toBe(false);
  });

  it('refuses a gh archive whose checksum list does not name it', async () => {
    const urls = scenario('unlisted-gh', ({ gh }) => {
      writeFileSync(
        path.join(gh, `v${GH_VERSION}`, `gh_${GH_VERSION}_checksums.txt`),
        `${'3'.repeat(64)}  other.tar.gz\n`,
      );
    });
    const result = await install('unlisted-gh', urls);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(
      `no checksum for gh_${GH_VERSION}_linux_amd64.tar.gz in gh_${GH_VERSION}_checksums.txt`,
    );
    expect(existsSync(path.join(prefixFor('unlisted-gh'), 'bin/gh'))).toBe(false);
  });

  it('fails with the URL when a download is missing', async () => {
    const urls = scenario('missing', ({ gh }) =>
      rmSync(path.join(gh, `v${GH_VERSION}`), { recursive: true }),
    );
    const result = await install('missing', urls);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(
      `download failed: ${urls.GH_DIST_URL}/v${GH_VERSION}/gh_${GH_VERSION}_checksums.txt`,
    );
  });

  it('fails when the installed claude is not the pinned version', async () => {
    const result = await install('wrong-claude', scenario('wrong-claude'), {
      CLAUDE_CODE_PACKAGE: wrongClaude,
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(
      `claude --version says '2.1.330 (Claude Code)', expected ${CLAUDE_CODE_VERSION}`,
    );
  });

  it('can leave Claude Code out', async () => {
    const result = await install('no-claude', scenario('no-claude'), { SKIP_CLAUDE_CODE: '1' });
    expect(result.code).toBe(0);
    expect(existsSync(path.join(prefixFor('no-claude'), 'bin/gh'))).toBe(true);
    expect(existsSync(path.join(prefixFor('no-claude'), 'bin/claude'))).toBe(false);
  });

  it('refuses to run without pinned versions', async () => {
    const result = await install('no-version', scenario('no-version'), { NODE_VERSION: '' });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('NODE_VERSION must be set');
  });
});
