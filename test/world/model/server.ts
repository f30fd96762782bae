// A scripted Anthropic Messages API on 127.0.0.1 for the real `claude` CLI (ANTHROPIC_BASE_URL).
// Agent-loop requests take the next scripted turn; the CLI's side requests get a short harmless answer.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type RecordedRequest, stringsIn, workingDirIn } from './requests.js';
import { type ErrorTurn, isErrorTurn, type ModelScript, type ScriptStep, type Turn } from './script.js';
import { counterIds, frame, type IdSource, type Message, streamEvents, toMessage } from './sse.js';

export interface ModelServerOptions {
  /** Overrides the rule deciding which requests consume script turns. */
  isAgentTurn?: (req: RecordedRequest) => boolean;
  /** What side requests (not the agent loop) get. Default: a one-word text answer. */
  sideAnswer?: (req: RecordedRequest) => Turn | ErrorTurn;
  /** While it returns an error, `GET /v1/models` (the cheap probe Pilot's sweep uses) answers with it. */
  outage?: () => ErrorTurn | undefined;
}

/** The models list's shape, one model: what `GET /v1/models` answers when the API is up. */
const MODELS = {
  data: [
    {
      type: 'model',
      id: 'claude-sonnet-4-5',
      display_name: 'Claude Sonnet 4.5',
      created_at: '2025-09-29T00:00:00Z',
    },
  ],
  has_more: false,
  first_id: 'claude-sonnet-4-5',
  last_id: 'claude-sonnet-4-5',
};

export interface ModelServer {
  /** Base URL for ANTHROPIC_BASE_URL, e.g. `http://127.0.0.1:41234`. */
  url: string;
  /** Every request, in arrival order. */
  requests: RecordedRequest[];
  /** The requests that belonged to the agent loop. */
  agentRequests(): RecordedRequest[];
  /** Appends turns to the script (for scripts that depend on what happened so far). */
  push(...steps: ScriptStep[]): void;
  /** Script turns not yet served. */
  remaining(): number;
  /** Every string the model was sent in every request body, for leak checks. */
  allText(): string;
  close(): Promise<void>;
}

/**
 * Claude Code's main loop sends its tool definitions (Bash, Edit, Read, Write, …) and a `role:"system"`
 * entry in `messages` stating the environment ("Primary working directory: …"); with `--tools ""` the
 * tools are `[]` but the environment entry is still there. The CLI's side calls are "tool-free helpers"
 * (session title, tool-use summaries, …: no tools, no environment entry) and the quota probe
 * (`max_tokens: 1`, one user message "quota"). None of them showed up in `-p` runs of 2.1.331.
 */
export const AGENT_TOOLS = new Set([
  'Bash',
  'Edit',
  'Write',
  'Read',
  'Glob',
  'Grep',
  'NotebookEdit',
  'Agent',
]);

function hasAgentTool(req: RecordedRequest): boolean {
  const tools: unknown = req.body?.tools;
  if (!Array.isArray(tools)) return false;
  return tools.some((t: { name?: unknown }) => typeof t?.name === 'string' && AGENT_TOOLS.has(t.name));
}

function hasEnvironmentEntry(req: RecordedRequest): boolean {
  const messages: unknown = req.body?.messages;
  if (!Array.isArray(messages)) return false;
  // Only a `role:"system"` entry counts: a helper that quotes the prompt in a user message is not the loop.
  return messages.some(
    (m: { role?: unknown; content?: unknown }) =>
      m?.role === 'system' && workingDirIn(m.content) !== undefined,
  );
}

export function looksLikeAgentTurn(req: RecordedRequest): boolean {
  if (typeof req.body?.max_tokens === 'number' && req.body.max_tokens <= 1) return false;
  return hasAgentTool(req) || hasEnvironmentEntry(req);
}

const EXHAUSTED: Turn = { text: 'Done.' };

function sendJson(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  headers: http.OutgoingHttpHeaders = {},
) {
  res.writeHead(status, {
    'content-type': 'application/json',
    'request-id': `req_${randomUUID()}`,
    ...headers,
  });
  res.end(JSON.stringify(body));
}

function sendError(res: http.ServerResponse, turn: ErrorTurn): void {
  const { status, type, message } = turn.error;
  sendJson(
    res,
    status,
    { type: 'error', error: { type, message } },
    // The CLI retries 401/429/5xx for minutes unless told not to.
    { 'x-should-retry': turn.shouldRetry ? 'true' : 'false' },
  );
}

function sendTurn(res: http.ServerResponse, turn: Turn, req: RecordedRequest, ids: IdSource): void {
  const message = toMessage(
    turn,
    typeof req.body?.model === 'string' ? req.body.model : 'claude-sonnet-4-5',
    ids,
  );
  if (req.body?.stream === true) sendStream(res, message);
  else sendJson(res, 200, message);
}

function sendStream(res: http.ServerResponse, message: Message): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    'request-id': `req_${randomUUID()}`,
  });
  for (const event of streamEvents(message)) res.write(frame(event));
  res.end();
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export async function startModel(script: ModelScript, opts: ModelServerOptions = {}): Promise<ModelServer> {
  const queue = [...script];
  const requests: RecordedRequest[] = [];
  const ids = counterIds();
  const timers = new Set<NodeJS.Timeout>();
  const isAgentTurn = opts.isAgentTurn ?? looksLikeAgentTurn;
  const sideAnswer =
    opts.sideAnswer ?? (() => ({ text: 'OK', usage: { input_tokens: 10, output_tokens: 1 } }));

  function nextStep(rec: RecordedRequest): Turn | ErrorTurn {
    const step = queue.shift() ?? EXHAUSTED;
    return typeof step === 'function' ? step(rec) : step;
  }

  /** Holds the answer back; drops it if the client hung up or the server closed meanwhile. */
  function later(res: http.ServerResponse, ms: number, answer: () => void): void {
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!res.destroyed) answer();
    }, ms);
    timers.add(timer);
    res.on('close', () => {
      clearTimeout(timer);
      timers.delete(timer);
    });
  }

  function pickStep(rec: RecordedRequest): Turn | ErrorTurn {
    try {
      return rec.isAgentTurn ? nextStep(rec) : sideAnswer(rec);
    } catch (err) {
      // A broken script function should show up in the test, not hang the CLI in retries.
      return { error: { status: 500, type: 'api_error', message: `script failed: ${String(err)}` } };
    }
  }

  function answerMessages(res: http.ServerResponse, rec: RecordedRequest): void {
    const step = pickStep(rec);
    const answer = () => (isErrorTurn(step) ? sendError(res, step) : sendTurn(res, step, rec, ids));
    if (step.delayMs) later(res, step.delayMs, answer);
    else answer();
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const raw = await readBody(req);
    const rec: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.search,
      headers: req.headers,
      body: parseJson(raw),
      isAgentTurn: false,
      at: Date.now(),
    };
    const route = `${rec.method} ${rec.path}`;
    if (route === 'POST /v1/messages') rec.isAgentTurn = isAgentTurn(rec);
    requests.push(rec);

    if (route === 'POST /v1/messages') return answerMessages(res, rec);
    if (route === 'POST /v1/messages/count_tokens') {
      const chars = stringsIn(rec.body).join('').length;
      return sendJson(res, 200, { input_tokens: Math.max(1, Math.ceil(chars / 4)) });
    }
    if (route === 'GET /v1/models') {
      const down = opts.outage?.();
      return down ? sendError(res, down) : sendJson(res, 200, MODELS);
    }
    if (route === 'GET /api/hello' || route === 'HEAD /api/hello')
      return sendJson(res, 200, { message: 'hello' });
    sendJson(res, 404, {
      type: 'error',
      error: { type: 'not_found_error', message: `no route for ${route}` },
    });
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent)
        sendJson(res, 500, { type: 'error', error: { type: 'api_error', message: String(err) } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    agentRequests: () => requests.filter((r) => r.isAgentTurn),
    push: (...steps) => {
      queue.push(...steps);
    },
    remaining: () => queue.length,
    allText: () => requests.flatMap((r) => stringsIn(r.body)).join('\n'),
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
