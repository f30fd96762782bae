// The real Prometheus Pushgateway (Debian's `prometheus-pushgateway`, installed by .ci/install-packages),
// started on a free loopback port with no persistence file (Debian's build defaults to one under
// /var/lib) and stopped by the caller. Optional basic auth through its --web.config.file.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const PUSHGATEWAY_BIN = '/usr/bin/prometheus-pushgateway';

export interface Pushgateway {
  url: string;
  /** The scrape endpoint's text (with basic auth when the gateway requires it). */
  scrape(): Promise<string>;
  /** The groups it holds (`/api/v1/metrics`): their label sets. */
  groups(): Promise<Array<Record<string, string>>>;
  close(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitReady(
  url: string,
  headers: Record<string, string>,
  child: ChildProcess,
  log: () => string,
) {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`pushgateway exited ${child.exitCode}: ${log()}`);
    const ok = await fetch(`${url}/-/ready`, { headers }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`pushgateway not ready at ${url}: ${log()}`);
}

/** `basicAuth.hash` is a bcrypt hash of `basicAuth.password` (the gateway stores only hashes). */
export async function startPushgateway(basicAuth?: {
  username: string;
  password: string;
  hash: string;
}): Promise<Pushgateway> {
  const dir = mkdtempSync(path.join(tmpdir(), 'pilot-pushgateway-'));
  const port = await freePort();
  const args = [`--web.listen-address=127.0.0.1:${port}`, '--persistence.file=', '--log.level=warn'];
  const headers: Record<string, string> = {};
  if (basicAuth) {
    const config = path.join(dir, 'web.yml');
    writeFileSync(config, `basic_auth_users:\n  ${basicAuth.username}: '${basicAuth.hash}'\n`);
    args.push(`--web.config.file=${config}`);
    headers.authorization = `Basic ${Buffer.from(`${basicAuth.username}:${basicAuth.password}`).toString('base64')}`;
  }
  const child = spawn(PUSHGATEWAY_BIN, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c));
  child.stderr?.on('data', (c: Buffer) => (output += c));
  const url = `http://127.0.0.1:${port}`;
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitReady(url, headers, child, () => output);
  } catch (error) {
    await close();
    throw error;
  }
  return {
    url,
    scrape: async () => (await fetch(`${url}/metrics`, { headers })).text(),
    groups: async () => {
      const body = (await (await fetch(`${url}/api/v1/metrics`, { headers })).json()) as {
        data: Array<{ labels: Record<string, string> }>;
      };
      return body.data.map((g) => g.labels);
    },
    close,
  };
}
