// Health checks against real servers on loopback: each kind passes and fails for the reason a user
// would look for, a check that never answers times out cleanly, and concurrency stays bounded.
import { createServer as createHttp, type Server } from 'node:http';
import { createServer as createTcp, type Server as TcpServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boundedPool, runCheck } from '../../src/ops/checks.js';
import { runShell } from '../../src/ops/command.js';
import { Check } from '../../src/ops/inventory.js';

let http: Server;
let silent: TcpServer;
let base = '';
let silentPort = 0;
const ctx = { cwd: '/tmp' };

function listen(server: Server | TcpServer): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)),
  );
}

beforeAll(async () => {
  http = createHttp((req, res) => {
    if (req.url === '/slow') return void setTimeout(() => res.end('late'), 400);
    res.writeHead(req.url === '/health' ? 200 : 503).end(req.url === '/health' ? 'all ok' : 'down');
  });
  base = `http://127.0.0.1:${await listen(http)}`;
  // Accepts connections and never answers: an HTTP check against it must time out, not hang.
  silent = createTcp(() => undefined);
  silentPort = await listen(silent);
});

afterAll(async () => {
  await new Promise((r) => http.close(r));
  silent.close();
});

const check = (raw: Record<string, unknown>) => Check.parse(raw);

describe('health checks', () => {
  it('passes an http check whose status and body match and fails one whose status does not', async () => {
    expect(await runCheck(check({ type: 'http', url: `${base}/health`, body: 'ok' }), ctx)).toMatchObject({
      ok: true,
    });
    const down = await runCheck(check({ type: 'http', url: `${base}/other` }), ctx);
    expect(down).toMatchObject({ ok: false, detail: 'status 503, expected 200: down' });
  });

  it('fails an http check that is slower than max-latency-ms', async () => {
    const slow = await runCheck(check({ type: 'http', url: `${base}/slow`, 'max-latency-ms': 100 }), ctx);
    expect(slow.ok).toBe(false);
    expect(slow.detail).toMatch(/^answered in \d+ ms, more than 100 ms$/);
  });

  it('times out cleanly on a server that accepts and never answers', async () => {
    const hung = await runCheck(
      check({ type: 'http', url: `http://127.0.0.1:${silentPort}/`, 'timeout-seconds': 0.3 }),
      ctx,
    );
    expect(hung).toMatchObject({ ok: false, detail: 'timed out after 0.3 s' });
    expect(hung.latencyMs).toBeLessThan(5_000);
  });

  it('checks tcp connects and dns names', async () => {
    expect((await runCheck(check({ type: 'tcp', host: '127.0.0.1', port: silentPort }), ctx)).ok).toBe(true);
    const closed = await runCheck(check({ type: 'tcp', host: '127.0.0.1', port: 1 }), ctx);
    expect(closed.detail).toMatch(/^cannot connect: .*ECONNREFUSED/);
    expect((await runCheck(check({ type: 'dns', host: 'localhost' }), ctx)).ok).toBe(true);
    expect((await runCheck(check({ type: 'dns', host: 'no-such-host.invalid' }), ctx)).ok).toBe(false);
  });

  it('kills a command check (and the children it started) at its timeout', async () => {
    const started = Date.now();
    const slow = await runCheck(
      check({ type: 'command', run: 'sleep 30 & sleep 30', 'timeout-seconds': 0.3 }),
      ctx,
    );
    expect(slow).toMatchObject({ ok: false });
    expect(slow.detail).toMatch(/^timed out after 0.3 s/);
    expect(Date.now() - started).toBeLessThan(5_000);
    const exit = await runCheck(check({ type: 'command', run: 'echo nope; exit 3' }), ctx);
    expect(exit.detail).toBe('exit code 3, expected 0: nope\n');
  });

  it("runs commands without Pilot's environment (its inputs and tokens)", async () => {
    process.env['INPUT_GITHUB-TOKEN'] = 'ghs_secretvalue';
    process.env.GITHUB_TOKEN = 'ghs_secretvalue';
    try {
      const out = await runShell('env', { cwd: '/tmp', timeoutMs: 5_000 });
      expect(out.output).not.toContain('ghs_secretvalue');
      expect(out.output).toContain('PATH=');
    } finally {
      delete process.env['INPUT_GITHUB-TOKEN'];
      delete process.env.GITHUB_TOKEN;
    }
  });

  it('runs at most the given number of checks at once', async () => {
    const pool = boundedPool(2);
    let now = 0;
    let most = 0;
    const task = () =>
      pool(async () => {
        most = Math.max(most, ++now);
        await new Promise((r) => setTimeout(r, 20));
        now--;
      });
    await Promise.all(Array.from({ length: 6 }, task));
    expect(most).toBe(2);
  });
});
