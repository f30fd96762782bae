// Offline stand-ins for what docker/install-tools.sh downloads: tiny Node.js and gh release archives
// with their publishers' checksum files, served from a loopback HTTP server, and a fake Claude Code
// npm package made with `npm pack`.
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

export const NODE_VERSION = '24.18.1';
export const GH_VERSION = '2.100.0';

export function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

function writeExecutable(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  chmodSync(file, 0o755);
}

function tarGz(cwd: string, dir: string, out: string): void {
  execFileSync('tar', ['-czf', out, '-C', cwd, dir]);
}

function npmCli(): string {
  return realpathSync(execFileSync('sh', ['-c', 'command -v npm'], { encoding: 'utf8' }).trim());
}

/**
 * Node.js release layout under ROOT/v<version>/: the linux-x64 archive (bin/node and bin/npm are
 * wrappers around this machine's node and npm, so the script's npm step really runs) and SHASUMS256.txt.
 */
export function makeNodeRelease(root: string, scratch: string, version = NODE_VERSION): string {
  const dir = `node-v${version}-linux-x64`;
  const tree = path.join(scratch, 'node-tree');
  writeExecutable(path.join(tree, dir, 'bin/node'), `#!/bin/sh\nexec "${process.execPath}" "$@"\n`);
  writeExecutable(
    path.join(tree, dir, 'bin/npm'),
    `#!/bin/sh\nexec "${process.execPath}" "${npmCli()}" "$@"\n`,
  );
  mkdirSync(path.join(tree, dir, 'lib/node_modules'), { recursive: true });
  mkdirSync(path.join(tree, dir, 'include/node'), { recursive: true });
  writeFileSync(path.join(tree, dir, 'include/node/node_version.h'), `#define NODE_VERSION "${version}"\n`);
  writeFileSync(path.join(tree, dir, 'README.md'), 'not installed\n');
  const release = path.join(root, `v${version}`);
  mkdirSync(release, { recursive: true });
  const archive = path.join(release, `${dir}.tar.gz`);
  tarGz(path.join(tree), dir, archive);
  writeFileSync(
    path.join(release, 'SHASUMS256.txt'),
    [
      `${'0'.repeat(64)}  node-v${version}-linux-arm64.tar.gz`,
      `${sha256(archive)}  ${dir}.tar.gz`,
      `${'1'.repeat(64)}  ${dir}.tar.xz`,
      '',
    ].join('\n'),
  );
  return archive;
}

/** gh release layout under ROOT/v<version>/: the linux_amd64 archive and gh_<v>_checksums.txt. */
export function makeGhRelease(root: string, scratch: string, version = GH_VERSION): string {
  const dir = `gh_${version}_linux_amd64`;
  const tree = path.join(scratch, 'gh-tree');
  writeExecutable(path.join(tree, dir, 'bin/gh'), `#!/bin/sh\necho "gh version ${version} (fake)"\n`);
  const release = path.join(root, `v${version}`);
  mkdirSync(release, { recursive: true });
  const archive = path.join(release, `${dir}.tar.gz`);
  tarGz(tree, dir, archive);
  writeFileSync(
    path.join(release, `gh_${version}_checksums.txt`),
    `${sha256(archive)}  ${dir}.tar.gz\n${'2'.repeat(64)}  gh_${version}_linux_arm64.tar.gz\n`,
  );
  return archive;
}

/** A package named like Claude Code whose `claude --version` prints VERSION, packed by npm. */
export function packFakeClaudeCode(scratch: string, version: string): string {
  const dir = path.join(scratch, `claude-code-${version}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify({ name: '@anthropic-ai/claude-code', version, bin: { claude: 'cli.js' } }),
  );
  writeExecutable(
    path.join(dir, 'cli.js'),
    `#!/usr/bin/env node\nconsole.log('${version} (Claude Code)');\n`,
  );
  const name = execFileSync('npm', ['pack', '--silent', '--pack-destination', scratch], {
    cwd: dir,
    encoding: 'utf8',
  }).trim();
  return path.join(scratch, name.split('\n').at(-1) ?? name);
}

export interface StaticServer {
  url: string;
  requests: string[];
  close(): Promise<void>;
}

/** Serves files under ROOT on 127.0.0.1; 404 for anything else. */
export async function serveDirectory(root: string): Promise<StaticServer> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const urlPath = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    requests.push(urlPath);
    const file = path.join(root, urlPath);
    try {
      if (!file.startsWith(`${root}${path.sep}`)) throw new Error('outside the served directory');
      const body = readFileSync(file);
      res.writeHead(200, { 'content-length': body.length }).end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}

export interface ScriptResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a script asynchronously (the loopback server answers from this same process). */
export function runScript(script: string, env: Record<string, string>): Promise<ScriptResult> {
  return new Promise((resolve) => {
    execFile('bash', [script], { env, timeout: 50_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}
