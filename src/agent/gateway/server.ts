// The model gateway: a loopback proxy for the Messages API. The agent gets its URL and a per-run key;
// the real credential stays in Pilot's process. Answers stream through untouched while a tee reads
// their usage; once the spend reaches the cap every further request is refused for good.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { pipeline, Transform } from 'node:stream';
import { z } from 'zod';
import { type Credential, carriesKey, endToEnd, upstreamHeaders } from './headers.js';
import { type GatewayUsage, Ledger } from './ledger.js';
import { decoded, jsonMeter, type Meter, NO_METER, sseMeter } from './meter.js';
import { DEFAULT_PRICES, type PriceRule } from './prices.js';

export interface GatewayOptions {
  /** Base URL of the real API: `anthropic-base-url`, `ANTHROPIC_BASE_URL`, or https://api.anthropic.com. */
  upstream: string;
  credential: Credential;
  /** Spend (USD, at list prices) after which every request is refused. `Infinity` for no cap. */
  maxCostUsd: number;
  /** Price rules tried before the defaults (first match wins). */
  prices?: readonly PriceRule[];
  /** One line per notable event; never given a credential. */
  log?: (line: string) => void;
}

export interface Gateway {
  /** `http://127.0.0.1:<port>`, for ANTHROPIC_BASE_URL. */
  url: string;
  /** The only key the agent ever sees. */
  agentKey: string;
  usage(): GatewayUsage;
  /** True once the spend reached `maxCostUsd`. */
  tripped(): boolean;
  close(): Promise<void>;
}

const OptionsSchema = z.object({
  upstream: z.url({ protocol: /^https?$/ }),
  credential: z.union([z.object({ apiKey: z.string().min(1) }), z.object({ oauthToken: z.string().min(1) })]),
  maxCostUsd: z.number().positive(),
});

/**
 * What the gateway forwards. Anything else (batches, files, admin routes) could spend or read without
 * passing the meter, and the agent can reach the gateway from its Bash tool, so it is refused.
 */
type Route = 'messages' | 'forward';

function routeOf(method: string, path: string): Route | undefined {
  if (method === 'POST' && path === '/v1/messages') return 'messages';
  if (method === 'POST' && path === '/v1/messages/count_tokens') return 'forward';
  if (
    (method === 'GET' || method === 'HEAD') &&
    (path === '/api/hello' || /^\/v1\/models(\/[\w.:@-]+)?$/.test(path))
  )
    return 'forward';
  return undefined;
}

/**
 * Refusals say `x-should-retry: false`: without it the CLI retries 401/429/5xx for minutes.
 * The body is the API's error shape so the CLI shows the message.
 */
type Refusal = [status: number, type: string, message: string];

function refuse(res: http.ServerResponse, status: number, type: string, message: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json', 'x-should-retry': 'false' });
  res.end(JSON.stringify({ type: 'error', error: { type, message } }));
}

/**
 * The cap's answer: 429 with `x-should-retry: false`. Checked against the pinned CLI (2.1.331): it asks
 * once and ends the run with `terminal_reason: api_error`, showing the message. A 400 instead sets off
 * its recovery paths (compaction, resending with other tools): six more refused requests per run.
 */
const BUDGET_STATUS = 429;

function meterFor(
  route: Route,
  up: http.IncomingMessage,
  ledger: Ledger,
  log: (line: string) => void,
): Meter {
  const status = up.statusCode ?? 0;
  if (route !== 'messages' || status < 200 || status >= 300) return NO_METER;
  const type = String(up.headers['content-type'] ?? '');
  let meter: Meter = NO_METER;
  if (type.includes('text/event-stream')) meter = sseMeter(ledger.sink());
  else if (type.includes('json')) meter = jsonMeter(ledger.sink());
  const encoding = up.headers['content-encoding'];
  const readable = decoded(encoding, meter);
  if (!readable) log(`gateway: cannot read usage from an answer with content-encoding ${encoding}`);
  return readable ?? NO_METER;
}

/** Passes every chunk on at once (no buffering) and shows a copy to the meter. */
function tee(meter: Meter): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      meter.feed(chunk);
      done(null, chunk);
    },
    flush(done) {
      Promise.resolve(meter.end()).then(() => done(), done);
    },
  });
}

interface Upstream {
  base: URL;
  request: typeof http.request;
  agent: http.Agent;
}

function upstreamOf(url: string): Upstream {
  const base = new URL(url);
  const secure = base.protocol === 'https:';
  return {
    base,
    request: secure ? https.request : http.request,
    agent: secure ? new https.Agent({ keepAlive: true }) : new http.Agent({ keepAlive: true }),
  };
}

/** The upstream URL for a request path: the base URL's own path prefix is kept (proxies use one). */
function targetUrl(base: URL, pathAndQuery: string): URL {
  const target = new URL(base.href);
  const local = new URL(pathAndQuery, 'http://gateway');
  target.pathname = `${base.pathname.replace(/\/$/, '')}${local.pathname}`;
  target.search = local.search;
  return target;
}

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const parsed = OptionsSchema.safeParse(options);
  if (!parsed.success) throw new Error(`invalid gateway options: ${z.prettifyError(parsed.error)}`);
  const log = options.log ?? (() => {});
  const cap = options.maxCostUsd;
  const agentKey = `sk-ant-pilot-${randomBytes(16).toString('hex')}`;
  const upstream = upstreamOf(options.upstream);
  const ledger = new Ledger(cap, [...(options.prices ?? []), ...DEFAULT_PRICES], (u) =>
    log(`gateway: cost cap reached: $${u.costUsd.toFixed(4)} of $${cap}; refusing further requests`),
  );

  function forward(req: http.IncomingMessage, res: http.ServerResponse, route: Route) {
    if (route === 'messages') ledger.countRequest();
    const out = upstream.request(targetUrl(upstream.base, req.url ?? '/'), {
      method: req.method,
      headers: upstreamHeaders(req.headers, options.credential),
      agent: upstream.agent,
    });
    out.on('response', (up) => {
      res.writeHead(up.statusCode ?? 502, endToEnd(up.headers));
      // Headers go out now, before the first body byte: the client sees the stream open at once.
      res.flushHeaders();
      pipeline(up, tee(meterFor(route, up, ledger, log)), res, (err) => {
        if (err) log(`gateway: answer from upstream cut short: ${err.message}`);
      });
    });
    out.on('error', (err) => {
      log(`gateway: upstream request failed: ${err.message}`);
      refuse(res, 502, 'api_error', `the model gateway could not reach the upstream API: ${err.message}`);
    });
    // A client that hangs up mid-answer stops the upstream request too.
    res.on('close', () => {
      if (!res.writableFinished) out.destroy();
    });
    req.pipe(out);
  }

  /** Why a request may not pass, or undefined when it may. */
  function refusalFor(
    req: http.IncomingMessage,
    path: string,
    route: Route | undefined,
  ): Refusal | undefined {
    const method = req.method ?? 'GET';
    if (!carriesKey(req.headers, agentKey)) return [401, 'authentication_error', 'invalid x-api-key'];
    if (!route) {
      log(`gateway: refused ${method} ${path}: not a route the agent may use`);
      return [404, 'not_found_error', `the model gateway does not forward ${method} ${path}`];
    }
    if (route === 'messages' && ledger.tripped()) {
      ledger.countRefusal();
      const spent = ledger.usage().costUsd.toFixed(2);
      const message = `Pilot's cost cap is reached ($${spent} of max-cost-usd $${cap}); no further model requests in this run.`;
      return [BUDGET_STATUS, 'budget_exceeded', message];
    }
    return undefined;
  }

  function handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    // Dot segments are resolved here, so `/v1/messages/../files` is checked as `/v1/files`.
    const path = new URL(req.url ?? '/', 'http://gateway').pathname;
    const route = routeOf(req.method ?? 'GET', path);
    const refusal = refusalFor(req, path, route);
    if (refusal || !route) {
      // Read and drop the body so the connection stays usable; nothing of it goes anywhere.
      req.resume();
      refuse(res, ...(refusal ?? [404, 'not_found_error', 'not found']));
    } else {
      forward(req, res, route);
    }
  }

  const server = http.createServer(handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    agentKey,
    usage: () => ledger.usage(),
    tripped: () => ledger.tripped(),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        upstream.agent.destroy();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

/** The variables that point the Claude Code CLI at the gateway; nothing else about the model. */
export function gatewayEnv(gw: Pick<Gateway, 'url' | 'agentKey'>): Record<string, string> {
  return { ANTHROPIC_BASE_URL: gw.url, ANTHROPIC_API_KEY: gw.agentKey };
}
