// Puts the pinned Claude Code CLI on the runner, fastest source first: the `claude-path` input; a
// `claude` on PATH of the pinned version (the runner image ships it); the runner's tool cache; the
// Actions cache (saved by an earlier trusted run); npm. Anything that comes out of a cache runs only
// when its SHA-256 matches the value pinned in source for that version and platform.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tc from '@actions/tool-cache';
import { CACHE_KEY_PREFIX } from '../../constants.js';
import { messageOf } from '../../errors.js';
import { actionsCache, type CacheApi } from '../session/store.js';
import { PINNED_SHA256, type Pins, pinFor } from './pins.js';

export const TOOL_NAME = 'claude-code';
const PACKAGE = '@anthropic-ai/claude-code';

export interface InstallOptions {
  version: string;
  claudePath?: string;
  platform?: NodeJS.Platform;
  arch?: string;
  cache?: CacheApi;
  pins?: Pins;
  npm?: string;
  /** PATH to look for `claude` and `npm` on. */
  pathEnv?: string;
  attempts?: number;
  sleep?: (ms: number) => Promise<void>;
  log?: (line: string) => void;
}

export type InstallSource = 'input' | 'path' | 'tool-cache' | 'actions-cache' | 'npm';

export interface Installed {
  path: string;
  source: InstallSource;
  /** Whether the Actions cache now holds this version (only said when a save really happened). */
  savedToCache?: boolean;
}

function run(
  cmd: string,
  args: string[],
  env?: NodeJS.ProcessEnv,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { env, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 127) : 0;
      resolve({
        code,
        stdout: String(stdout),
        stderr: String(stderr) || (error && code === 127 ? error.message : ''),
      });
    });
  });
}

export function sha256File(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => resolve(hash.digest('hex')))
      .on('error', reject);
  });
}

/** `claude --version` prints "2.1.331 (Claude Code)". */
export async function versionOf(binary: string, env?: NodeJS.ProcessEnv): Promise<string | null> {
  const { code, stdout } = await run(binary, ['--version'], env);
  return code === 0 ? (stdout.trim().split(/\s+/)[0] ?? null) : null;
}

function onPath(name: string, pathEnv: string): string | null {
  for (const dir of pathEnv.split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, name);
    if (existsSync(candidate)) return candidate;
  }
  return null;
}

function platformOf(opts: InstallOptions): string {
  const platform = opts.platform ?? process.platform;
  const arch = opts.arch ?? process.arch;
  if (platform !== 'linux' || (arch !== 'x64' && arch !== 'arm64'))
    throw new Error(
      `Pilot installs Claude Code on Linux x64/arm64 runners only; this runner is ${platform}/${arch}. Set the claude-path input to a claude ${opts.version} executable.`,
    );
  return `linux-${arch}`;
}

export function binaryCacheKey(version: string, platform: string): string {
  return `${CACHE_KEY_PREFIX}-claude-code-${version}-${platform}`;
}

/** The cached binary, if it is the pinned one; a mismatch is deleted so it is never run. */
async function trusted(dir: string, pin: string | undefined, opts: InstallOptions, from: string) {
  const binary = path.join(dir, 'claude');
  if (!existsSync(binary)) return null;
  if (!pin) {
    opts.log?.(
      `Claude Code ${opts.version} from the ${from} is not pinned for this platform: reinstalling from npm`,
    );
    return null;
  }
  const actual = await sha256File(binary);
  if (actual === pin) return binary;
  opts.log?.(
    `Refused the Claude Code binary from the ${from}: SHA-256 ${actual} is not the pinned ${pin}; reinstalling`,
  );
  rmSync(dir, { recursive: true, force: true });
  rmSync(`${dir}.complete`, { force: true });
  return null;
}

export async function installClaude(opts: InstallOptions): Promise<Installed> {
  if (opts.claudePath) return { path: opts.claudePath, source: 'input' };
  const platform = platformOf(opts);
  const arch = platform.split('-')[1];
  const pathEnv = opts.pathEnv ?? process.env.PATH ?? '';
  const onPathBinary = onPath('claude', pathEnv);
  if (onPathBinary && (await versionOf(onPathBinary)) === opts.version)
    return { path: onPathBinary, source: 'path' };

  const pin = pinFor(opts.pins ?? PINNED_SHA256, opts.version, platform);
  const found = tc.find(TOOL_NAME, opts.version, arch);
  const fromToolCache = found ? await trusted(found, pin, opts, 'tool cache') : null;
  if (fromToolCache) return { path: fromToolCache, source: 'tool-cache' };

  const cache = opts.cache ?? actionsCache;
  const toolDir = toolPath(opts.version, arch);
  const key = binaryCacheKey(opts.version, platform);
  if (pin && cache.available() && (await cache.restore([toolDir], key, []).catch(() => undefined))) {
    const restored = await trusted(toolDir, pin, opts, 'Actions cache');
    if (restored) {
      writeFileSync(`${toolDir}.complete`, '');
      return { path: restored, source: 'actions-cache' };
    }
  }
  const installed = await installFromNpm(opts, platform, arch, pathEnv, pin);
  const savedToCache = await saveBinary(cache, toolDir, key, opts);
  return { path: installed, source: 'npm', savedToCache };
}

function toolPath(version: string, arch: string): string {
  const root = process.env.RUNNER_TOOL_CACHE;
  if (!root) throw new Error('RUNNER_TOOL_CACHE is not set: Pilot must run as a GitHub Actions step');
  return path.join(root, TOOL_NAME, version, arch);
}

async function saveBinary(
  cache: CacheApi,
  toolDir: string,
  key: string,
  opts: InstallOptions,
): Promise<boolean> {
  const mode = cache.mode();
  if (mode === 'read' || mode === 'none' || !cache.available()) return false;
  try {
    return (await cache.save([toolDir], key)) !== -1;
  } catch (error) {
    opts.log?.(`Could not save Claude Code to the Actions cache: ${messageOf(error)}`);
    return false;
  }
}

async function npmInstall(opts: InstallOptions, prefix: string, pathEnv: string): Promise<void> {
  const npm = opts.npm ?? onPath('npm', pathEnv) ?? 'npm';
  const args = [
    'install',
    '--no-save',
    '--no-audit',
    '--no-fund',
    '--prefix',
    prefix,
    `${PACKAGE}@${opts.version}`,
  ];
  const attempts = opts.attempts ?? 3;
  const sleep = opts.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  let last = '';
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const result = await run(npm, args, { ...process.env, PATH: pathEnv });
    if (result.code === 0) return;
    last = (result.stderr || result.stdout).trim().split('\n').slice(-15).join('\n');
    opts.log?.(`npm install ${PACKAGE}@${opts.version} failed (attempt ${attempt}/${attempts})`);
    if (attempt < attempts) await sleep(2000 * 2 ** (attempt - 1));
  }
  throw new Error(
    `Could not install ${PACKAGE}@${opts.version} with npm after ${attempts} attempts:\n${last}`,
  );
}

async function installFromNpm(
  opts: InstallOptions,
  platform: string,
  arch: string,
  pathEnv: string,
  pin: string | undefined,
): Promise<string> {
  const prefix = mkdtempSync(path.join(process.env.RUNNER_TEMP ?? tmpdir(), 'claude-code-'));
  try {
    await npmInstall(opts, prefix, pathEnv);
    const modules = path.join(prefix, 'node_modules', '@anthropic-ai');
    const candidates = [
      path.join(modules, `claude-code-${platform}`, 'claude'),
      path.join(modules, 'claude-code', 'bin', 'claude.exe'),
    ];
    const binary = candidates.find((c) => existsSync(c));
    if (!binary)
      throw new Error(`npm installed ${PACKAGE}@${opts.version} but no binary for ${platform} was found`);
    if (pin && (await sha256File(binary)) !== pin)
      throw new Error(
        `npm delivered a Claude Code ${opts.version} binary whose SHA-256 is not the pinned value: refusing to run it`,
      );
    const dir = await tc.cacheFile(binary, 'claude', TOOL_NAME, opts.version, arch);
    const installed = path.join(dir, 'claude');
    const version = await versionOf(installed);
    if (version !== opts.version)
      throw new Error(
        `the installed Claude Code reports version ${version ?? '(none)'}, expected ${opts.version}`,
      );
    return installed;
  } finally {
    rmSync(prefix, { recursive: true, force: true });
  }
}
