// Shared pieces of the gateway tests: a scripted upstream, a gateway in front of it, raw Messages
// requests, an upstream that holds its answer, and a proxy that counts how many requests are open
// upstream at once, and the real CLI pointed at a gateway. Everything listens on 127.0.0.1 and closes
// when the test ends.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { onTestFinished } from 'vitest';
import {
  type Gateway,
  type GatewayOptions,
  gatewayEnv,
  type PolicyOptions,
  startGateway,
} from '../../src/agent/gateway/index.js';
import {
  claudeEnv,
  headlessArgs,
  type ModelScript,
  type ModelServer,
  type ModelServerOptions,
  spawnClaude,
  startModel,
} from '../world/model/index.js';
import { counterIds, frame, streamEvents, toMessage } from '../world/model/sse.js';

export const REAL_KEY = 'sk-ant-api03-real-key-held-by-pilot-only-0000000000';

export async function model(script: ModelScript, opts?: ModelServerOptions): Promise<ModelServer> {
  const server = await startModel(script, opts);
  onTestFinished(() => server.close());
  return server;
}

/** The model the test gateways are configured for, and that raw requests ask for. */
export const MODEL = 'claude-sonnet-4-5';

export async function gateway(opts: Partial<GatewayOptions> & { upstream: string }): Promise<Gateway> {
  const gw = await startGateway({
    credential: { apiKey: REAL_KEY },
    maxCostUsd: 100,
    policy: { models: [MODEL] },
    ...opts,
  });
  onTestFinished(() => gw.close());
  return gw;
}

/** The request body the CLI's agent loop sends, trimmed (its tools make the model server script it). */
export function messagesBody(extra: Record<string, unknown> = {}) {
  return {
    model: MODEL,
    max_tokens: 1000,
    stream: true,
    tools: [{ name: 'Bash' }],
    messages: [{ role: 'user', content: 'hello' }],
    ...extra,
  };
}

export async function post(
  gw: Gateway,
  body: unknown,
  headers: Record<string, string> = {},
  path = '/v1/messages?beta=true',
) {
  const res = await fetch(`${gw.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': gw.agentKey, ...headers },
    body: JSON.stringify(body),
  });
  return { res, text: await res.text() };
}

/**
 * An upstream that sends `message_start` and then holds the rest of the stream until the test lets
 * it go. A gateway that buffered would deliver nothing before release, and the test would time out.
 */
export async function heldUpstream(usage = { input_tokens: 100, output_tokens: 20 }) {
  let release: () => void = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  let requests = 0;
  let hungUp: () => void = () => {};
  const upstreamClosed = new Promise<void>((resolve) => {
    hungUp = resolve;
  });
  const events = streamEvents(toMessage({ text: 'slow answer', usage }, 'claude-sonnet-4-5', counterIds()));
  const server = http.createServer((req, res) => {
    requests += 1;
    req.resume();
    res.on('close', () => {
      if (!res.writableFinished) hungUp();
    });
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(frame(events[0]));
    released.then(() => {
      for (const event of events.slice(1)) res.write(frame(event));
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(async () => {
    release();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  const { port } = server.address() as AddressInfo;
  /** `cutOff` settles when the gateway dropped the upstream answer before its end. */
  return { url: `http://127.0.0.1:${port}`, release, requests: () => requests, cutOff: upstreamClosed };
}

/** Reads a streamed body until the first complete SSE frame. */
export async function firstFrame(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<string> {
  const decoder = new TextDecoder();
  let text = '';
  while (!text.includes('\n\n')) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  return text.slice(0, text.indexOf('\n\n') + 2);
}

export async function rest(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<string> {
  const decoder = new TextDecoder();
  let text = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return text;
    text += decoder.decode(value, { stream: true });
  }
}

/** What a counting proxy saw: the most requests open upstream at once, and how many arrived. */
export interface Counted {
  url: string;
  maxOpen(): number;
  arrived(): number;
}

/** A proxy in front of `target` that counts requests open at the same time (until their answer ends). */
export async function countingProxy(target: string): Promise<Counted> {
  const to = new URL(target);
  let open = 0;
  let maxOpen = 0;
  let arrived = 0;
  const server = http.createServer((req, res) => {
    arrived += 1;
    open += 1;
    maxOpen = Math.max(maxOpen, open);
    let counted = true;
    const done = () => {
      if (counted) open -= 1;
      counted = false;
    };
    res.on('close', done);
    const out = http.request(
      { host: to.hostname, port: to.port, path: req.url, method: req.method, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    out.on('error', () => res.destroy());
    res.on('close', () => out.destroy());
    req.pipe(out);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, maxOpen: () => maxOpen, arrived: () => arrived };
}

/** The real CLI's setting: model server ← counting proxy ← gateway ← the CLI's environment. */
export interface Rig {
  model: ModelServer;
  upstream: Counted;
  gateway: Gateway;
  workspace: string;
  env: Record<string, string>;
  /** The gateway's log lines. */
  lines: string[];
}

export interface RigOptions {
  maxCostUsd: number;
  /** What the gateway sends upstream; an API key by default. */
  credential?: GatewayOptions['credential'];
  policy?: Partial<PolicyOptions>;
  model?: ModelServerOptions;
}

/** Everything is closed and removed when the test ends. */
export async function rig(script: ModelScript, opts: RigOptions): Promise<Rig> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'pilot-gateway-'));
  const workspace = path.join(root, 'workspace');
  mkdirSync(workspace);
  const model = await startModel(script, opts.model);
  const upstream = await countingProxy(model.url);
  const lines: string[] = [];
  const gw = await startGateway({
    upstream: upstream.url,
    credential: opts.credential ?? { apiKey: REAL_KEY },
    maxCostUsd: opts.maxCostUsd,
    policy: opts.policy,
    log: (line) => lines.push(line),
  });
  onTestFinished(async () => {
    await gw.close();
    await model.close();
    rmSync(root, { recursive: true, force: true });
  });
  const base = claudeEnv({ baseUrl: gw.url, home: path.join(root, 'home') });
  return { model, upstream, gateway: gw, workspace, lines, env: { ...base, ...gatewayEnv(gw) } };
}

/** Runs the pinned CLI headless in the rig's workspace with extra flags (`--allowedTools`, `--model`…). */
export async function runClaude(r: Rig, prompt: string, extra: string[]) {
  const proc = spawnClaude({ args: headlessArgs(prompt, extra), cwd: r.workspace, env: r.env });
  onTestFinished(() => proc.kill());
  return proc.done;
}
