// What the Bedrock and Vertex emulators share: a loopback server that reads each request whole, and a
// call to the scripted Messages API behind it that returns its SSE events.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseSse, type SseEvent } from '../model/sse.js';

export interface Arrived {
  method: string;
  /** Path and query exactly as they arrived. */
  rawPath: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export interface Listening {
  url: string;
  close(): Promise<void>;
}

export async function listen(
  answer: (req: Arrived, res: http.ServerResponse) => Promise<void>,
): Promise<Listening> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const arrived = {
        method: req.method ?? 'GET',
        rawPath: req.url ?? '/',
        headers: req.headers,
        body: Buffer.concat(chunks),
      };
      answer(arrived, res).catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: String(err) }));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Asks the scripted Messages API (a startModel server) for one streamed answer, as its SSE events. */
export async function scripted(
  modelUrl: string,
  body: Record<string, unknown>,
  beta: string | undefined,
): Promise<{ status: number; events: SseEvent[]; text: string }> {
  const res = await fetch(`${modelUrl}/v1/messages?beta=true`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(beta ? { 'anthropic-beta': beta } : {}) },
    body: JSON.stringify({ ...body, stream: true }),
  });
  const text = await res.text();
  return { status: res.status, events: res.ok ? parseSse(text) : [], text };
}

export function sendJson(res: http.ServerResponse, status: number, body: unknown, headers = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}
