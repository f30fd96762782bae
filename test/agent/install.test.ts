// Installing the agent: a fake `npm` on PATH records its calls and installs a small stand-in binary,
// whose hash the tests pin; the real pinned value is checked against the real package in node_modules.
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  binaryCacheKey,
  type InstallOptions,
  installClaude,
  sha256File,
} from '../../src/agent/install/index.js';
import { PINNED_SHA256 } from '../../src/agent/install/pins.js';
import type { CacheApi } from '../../src/agent/session/store.js';

const VERSION = '2.1.331';
const FAKE_CLAUDE = `#!/bin/sh\necho "${VERSION} (Claude Code)"\n`;
const TAMPERED = `#!/bin/sh\necho "${VERSION} (Claude Code)"; curl evil.example\n`;

let dir: string;
let savedEnv: NodeJS.ProcessEnv;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'pilot-install-'));
  savedEnv = { ...process.env };
  process.env.RUNNER_TOOL_CACHE = path.join(dir, 'tool-cache');
  process.env.RUNNER_TEMP = path.join(dir, 'temp');
  mkdirSync(process.env.RUNNER_TEMP, { recursive: true });
});
afterEach(() => {
  process.env = savedEnv;
  rmSync(dir, { recursive: true, force: true });
});

/** A fake npm that logs each call and installs the stand-in binary where the real package puts it. */
function fakeNpm(opts: { failFirst?: number } = {}) {
  const bin = path.join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  const log = path.join(dir, 'npm.log');
  writeFileSync(log, '');
  const payload = path.join(dir, 'fake-claude');
  writeFileSync(payload, FAKE_CLAUDE);
  writeFileSync(
    path.join(bin, 'npm'),
    `#!/bin/sh
echo "$*" >> '${log}'
calls=$(wc -l < '${log}')
if [ "$calls" -le ${opts.failFirst ?? 0} ]; then echo "npm ERR! code E503 registry unavailable" >&2; exit 1; fi
while [ $# -gt 0 ]; do [ "$1" = "--prefix" ] && prefix="$2"; shift; done
target="$prefix/node_modules/@anthropic-ai/claude-code-linux-x64"
mkdir -p "$target" && cp '${payload}' "$target/claude" && chmod +x "$target/claude"
`,
  );
  chmodSync(path.join(bin, 'npm'), 0o755);
  return { bin, calls: () => readFileSync(log, 'utf8').split('\n').filter(Boolean) };
}

/** Stands in for the Actions cache: saves and restores whole directories by exact key. */
function dirCache(): CacheApi & { keys: () => string[] } {
  const store = path.join(dir, 'actions-cache');
  const saved = new Map<string, string>();
  return {
    keys: () => [...saved.keys()],
    mode: () => 'write',
    available: () => true,
    async save([p], key) {
      const to = path.join(store, String(saved.size));
      cpSync(p, to, { recursive: true });
      saved.set(key, to);
      return saved.size;
    },
    async restore([p], key) {
      const from = saved.get(key);
      if (!from) return undefined;
      cpSync(from, p, { recursive: true });
      return key;
    },
  };
}

async function pins() {
  writeFileSync(path.join(dir, 'pin-probe'), FAKE_CLAUDE);
  return { [VERSION]: { 'linux-x64': await sha256File(path.join(dir, 'pin-probe')) } };
}

async function options(
  npm: ReturnType<typeof fakeNpm>,
  extra: Partial<InstallOptions> = {},
): Promise<InstallOptions> {
  return {
    version: VERSION,
    platform: 'linux',
    arch: 'x64',
    pathEnv: `${npm.bin}:/usr/bin:/bin`,
    pins: await pins(),
    cache: dirCache(),
    sleep: async () => undefined,
    ...extra,
  };
}

function toolDir() {
  return path.join(process.env.RUNNER_TOOL_CACHE as string, 'claude-code', VERSION, 'x64');
}

describe('installing the agent', () => {
  it('installs with npm into the tool cache on a cold runner, and saves it to the Actions cache', async () => {
    const npm = fakeNpm();
    const cache = dirCache();
    const installed = await installClaude(await options(npm, { cache }));
    expect(installed.source).toBe('npm');
    expect(installed.path).toBe(path.join(toolDir(), 'claude'));
    expect(installed.savedToCache).toBe(true);
    expect(cache.keys()).toEqual([binaryCacheKey(VERSION, 'linux-x64')]);
    expect(npm.calls()).toHaveLength(1);
    expect(npm.calls()[0]).toContain(`@anthropic-ai/claude-code@${VERSION}`);
  });

  it('a populated tool cache means no npm call', async () => {
    const npm = fakeNpm();
    const opts = await options(npm);
    await installClaude(opts);
    const again = await installClaude(opts);
    expect(again.source).toBe('tool-cache');
    expect(npm.calls()).toHaveLength(1);
  });

  it('restores from the Actions cache on a fresh runner: no npm call', async () => {
    const npm = fakeNpm();
    const opts = await options(npm);
    await installClaude(opts);
    rmSync(process.env.RUNNER_TOOL_CACHE as string, { recursive: true, force: true });
    const restored = await installClaude(opts);
    expect(restored.source).toBe('actions-cache');
    expect(npm.calls()).toHaveLength(1);
    expect(existsSync(`${toolDir()}.complete`)).toBe(true);
  });

  it('refuses a tampered cached binary and takes the verified copy from the Actions cache', async () => {
    const npm = fakeNpm();
    const lines: string[] = [];
    const opts = await options(npm, { log: (l) => lines.push(l) });
    await installClaude(opts);
    writeFileSync(path.join(toolDir(), 'claude'), TAMPERED);
    const again = await installClaude(opts);
    expect(again.source).toBe('actions-cache');
    expect(npm.calls()).toHaveLength(1);
    expect(lines.join('\n')).toMatch(
      /Refused the Claude Code binary from the tool cache: SHA-256 [0-9a-f]{64}/,
    );
    expect(readFileSync(again.path, 'utf8')).toBe(FAKE_CLAUDE);
  });

  it('refuses a tampered binary in both caches and reinstalls from npm', async () => {
    const npm = fakeNpm();
    const lines: string[] = [];
    const opts = await options(npm, { log: (l) => lines.push(l) });
    await installClaude(opts);
    const tamperedCache = dirCache();
    writeFileSync(path.join(toolDir(), 'claude'), TAMPERED);
    await tamperedCache.save([toolDir()], binaryCacheKey(VERSION, 'linux-x64'));
    const again = await installClaude({ ...opts, cache: tamperedCache });
    expect(again.source).toBe('npm');
    expect(npm.calls()).toHaveLength(2);
    expect(lines.join('\n')).toMatch(/Refused the Claude Code binary from the Actions cache/);
    expect(readFileSync(again.path, 'utf8')).toBe(FAKE_CLAUDE);
  });

  it('never trusts a cached binary for an unpinned platform: reinstalls from npm', async () => {
    const npm = fakeNpm();
    const opts = await options(npm, { pins: {} });
    await installClaude(opts);
    const again = await installClaude(opts);
    expect(again.source).toBe('npm');
    expect(npm.calls()).toHaveLength(2);
  });

  it('retries npm with backoff, then succeeds', async () => {
    const npm = fakeNpm({ failFirst: 2 });
    const waits: number[] = [];
    const installed = await installClaude(await options(npm, { sleep: async (ms) => void waits.push(ms) }));
    expect(installed.source).toBe('npm');
    expect(npm.calls()).toHaveLength(3);
    expect(waits).toEqual([2000, 4000]);
  });

  it("fails after the retries showing npm's error", async () => {
    const npm = fakeNpm({ failFirst: 99 });
    await expect(installClaude(await options(npm))).rejects.toThrow(/after 3 attempts:\nnpm ERR! code E503/);
  });

  it('uses claude-path when given, and a claude on PATH of the pinned version, without npm', async () => {
    const npm = fakeNpm();
    expect(await installClaude(await options(npm, { claudePath: '/opt/claude' }))).toEqual({
      path: '/opt/claude',
      source: 'input',
    });
    writeFileSync(path.join(npm.bin, 'claude'), FAKE_CLAUDE);
    chmodSync(path.join(npm.bin, 'claude'), 0o755);
    const onPath = await installClaude(await options(npm));
    expect(onPath).toEqual({ path: path.join(npm.bin, 'claude'), source: 'path' });
    expect(npm.calls()).toHaveLength(0);
  });

  it('ignores a claude on PATH of another version', async () => {
    const npm = fakeNpm();
    writeFileSync(path.join(npm.bin, 'claude'), '#!/bin/sh\necho "2.0.1 (Claude Code)"\n');
    chmodSync(path.join(npm.bin, 'claude'), 0o755);
    expect((await installClaude(await options(npm))).source).toBe('npm');
  });

  it('fails fast on a non-Linux runner, naming the way out', async () => {
    const npm = fakeNpm();
    await expect(installClaude(await options(npm, { platform: 'darwin', arch: 'arm64' }))).rejects.toThrow(
      /Linux x64\/arm64 runners only; this runner is darwin\/arm64\. Set the claude-path input/,
    );
    expect(npm.calls()).toHaveLength(0);
  });
});

it('pins the real linux-x64 binary of the default version', async () => {
  const real = path.join(
    import.meta.dirname,
    '../../node_modules/@anthropic-ai/claude-code-linux-x64/claude',
  );
  expect(await sha256File(real)).toBe(PINNED_SHA256[VERSION]['linux-x64']);
});
