// What the gateway does with one request: check the key and the route, then either pass it through
// (count_tokens, the models list) or run a Messages request through the policy, the admission queue
// and the meter.
import type http from 'node:http';
import { messageOf } from '../../errors.js';
import { type Admission, worstCaseUsd } from './admission.js';
import { forward, targetUrl, type Upstream } from './forward.js';
import { carriesKey, cleanHeaders } from './headers.js';
import type { Charge, Ledger } from './ledger.js';
import { decoded, jsonMeter, type Meter, NO_METER, sseMeter, UNREADABLE } from './meter.js';
import { OUTAGE_STATUS, type OutageWatch } from './outage.js';
import type { Passed, Refused, RequestPolicy } from './policy.js';
import type { PriceRule } from './prices.js';
import { eventStreamMeter } from './providers/eventstream.js';
import type { Provider, ProviderRoute } from './providers/provider.js';

/**
 * Refusals say `x-should-retry: false`: without it the CLI retries 401/429/5xx for minutes.
 * The body is the API's error shape so the CLI shows the message.
 */
type Refusal = [status: number, type: string, message: string];

function refuse(res: http.ServerResponse, status: number, type: string, message: string): void {
  if (res.destroyed) return;
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

function meterFor(up: http.IncomingMessage, charge: Charge, log: (line: string) => void): Meter {
  const status = up.statusCode ?? 0;
  // Error answers are not billed; nothing to read and nothing to charge.
  if (status < 200 || status >= 300) return NO_METER;
  const type = String(up.headers['content-type'] ?? '');
  let meter: Meter = UNREADABLE;
  if (type.includes('text/event-stream')) meter = sseMeter(charge.sink);
  else if (type.includes('application/vnd.amazon.eventstream')) meter = eventStreamMeter(charge.sink);
  else if (type.includes('json')) meter = jsonMeter(charge.sink);
  const encoding = up.headers['content-encoding'];
  const readable = decoded(encoding, meter);
  if (!readable) log(`gateway: cannot read usage from an answer with content-encoding ${encoding}`);
  return readable ?? UNREADABLE;
}

function unreachable(res: http.ServerResponse, err: Error): void {
  refuse(res, 502, 'api_error', `the model gateway could not reach the upstream API: ${err.message}`);
}

/** The API's own request size limit for the Messages endpoint. */
const MAX_BODY_BYTES = 32 * 1024 * 1024;

/** The whole request body, or undefined when it is larger than the API would take or never arrived. */
function readBody(req: http.IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolve(size <= MAX_BODY_BYTES ? Buffer.concat(chunks) : undefined));
    // A client that hangs up mid-body gets no answer; nothing is left waiting for an 'end'.
    req.on('close', () => {
      if (!req.complete) resolve(undefined);
    });
    req.on('error', reject);
  });
}

/** The request's headers with the policy's `anthropic-beta` and the rewritten body's length. */
function rewrittenHeaders(req: http.IncomingMessage, beta: string | undefined, body: Buffer) {
  const out = cleanHeaders(req.headers);
  if (beta === undefined) delete out['anthropic-beta'];
  else out['anthropic-beta'] = beta;
  out['content-length'] = String(body.length);
  return out;
}

/** A signal that fires when the client hangs up before its answer is complete. */
function clientGone(res: http.ServerResponse): AbortSignal {
  const gone = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) gone.abort();
  });
  return gone.signal;
}

export interface HandlerDeps {
  agentKey: string;
  /** Where the model is served from, and how the upstream is authenticated. */
  provider: Provider;
  upstream: Upstream;
  maxCostUsd: number;
  ledger: Ledger;
  admission: Admission;
  /** Consecutive upstream 5xx/529 on Messages requests (outage.ts). */
  outage: OutageWatch;
  policy: RequestPolicy;
  prices: readonly PriceRule[];
  log: (line: string) => void;
}

export class RequestHandler {
  private readonly logged = new Set<string>();

  constructor(private readonly deps: HandlerDeps) {}

  handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    // Dot segments are resolved here, so `/v1/messages/../files` is checked as `/v1/files`.
    const url = new URL(req.url ?? '/', 'http://gateway');
    const route = this.deps.provider.route(req.method ?? 'GET', url.pathname, url.search);
    const refusal = this.refusalFor(req, url.pathname, route);
    if (refusal || !route) {
      // Read and drop the body so the connection stays usable; nothing of it goes anywhere.
      req.resume();
      refuse(res, ...(refusal ?? [404, 'not_found_error', 'not found']));
      return;
    }
    const work =
      route.kind === 'messages' ? this.messages(req, res, route) : this.passThrough(req, res, route);
    work.catch((err: unknown) => {
      this.deps.log(`gateway: request failed: ${messageOf(err)}`);
      refuse(res, 500, 'api_error', 'the model gateway failed on this request');
    });
  }

  /** Why a request may not pass, or undefined when it may. */
  private refusalFor(
    req: http.IncomingMessage,
    path: string,
    route: ProviderRoute | undefined,
  ): Refusal | undefined {
    const method = req.method ?? 'GET';
    if (!carriesKey(req.headers, this.deps.agentKey))
      return [401, 'authentication_error', 'invalid x-api-key'];
    if (!route) {
      this.deps.log(`gateway: refused ${method} ${path}: not a route the agent may use`);
      return [404, 'not_found_error', `the model gateway does not forward ${method} ${path}`];
    }
    if (route.kind === 'messages' && this.deps.ledger.tripped()) {
      this.deps.ledger.countRefusal();
      return [BUDGET_STATUS, 'budget_exceeded', this.capMessage()];
    }
    // After an outage was called nothing more goes upstream in this run: no spend, no real-time retries.
    if (route.kind === 'messages' && this.deps.outage.tripped())
      return [OUTAGE_STATUS, 'overloaded_error', this.deps.outage.message()];
    return undefined;
  }

  private capMessage(): string {
    const spent = this.deps.ledger.usage().costUsd.toFixed(2);
    return `Pilot's cost cap is reached ($${spent} of max-cost-usd $${this.deps.maxCostUsd}); no further model requests in this run.`;
  }

  private logOnce(kind: string, text: string): void {
    if (this.logged.has(kind)) return;
    this.logged.add(kind);
    this.deps.log(`gateway: ${text} (logged once)`);
  }

  /**
   * An upstream refusal the provider can explain (expired credentials) is answered by the gateway
   * instead, with the explanation, as a 401 with `x-should-retry: false`: the pinned CLI (2.1.331)
   * retries a 403 on Bedrock for minutes whatever the headers say, and stops after one more try on a
   * 401 showing the message (checked against a recording server). Said once in Pilot's log.
   */
  private intercepted(up: http.IncomingMessage, res: http.ServerResponse, messages = false): boolean {
    const status = up.statusCode ?? 0;
    if (messages && this.outageCalled(status, res)) return true;
    const why = this.deps.provider.explain(status, up.headers);
    if (!why) return false;
    this.logOnce(`explain:${status}`, why);
    refuse(res, 401, 'authentication_error', why);
    return true;
  }

  /** True when this upstream failure spent the outage budget: the CLI is told at once, not to retry. */
  private outageCalled(status: number, res: http.ServerResponse): boolean {
    const { outage } = this.deps;
    if (!outage.observe(status, status === 529 ? 'overloaded_error' : undefined)) return false;
    this.deps.log(`gateway: ${outage.message()}`);
    refuse(res, OUTAGE_STATUS, 'overloaded_error', outage.message());
    return true;
  }

  /** count_tokens and the models list: free, so neither policy nor meter. */
  private async passThrough(req: http.IncomingMessage, res: http.ServerResponse, route: ProviderRoute) {
    const target = targetUrl(this.deps.upstream.base, route.upstreamPath);
    const headers = await this.deps.provider.authorize({
      method: req.method ?? 'GET',
      url: target,
      headers: cleanHeaders(req.headers),
    });
    forward(req, res, {
      upstream: this.deps.upstream,
      target,
      headers,
      intercept: (up) => this.intercepted(up, res),
      meterFor: () => NO_METER,
      settle: () => {},
      unreachable: (err) => unreachable(res, err),
      log: this.deps.log,
    });
  }

  /** The policy's verdict on the request, read in the provider's shape and turned back into it. */
  private checked(raw: Buffer, req: http.IncomingMessage, route: ProviderRoute): Passed | Refused {
    const { provider, policy } = this.deps;
    const model = route.kind === 'messages' ? route.model : undefined;
    const view = provider.toPolicy(raw, model, req.headers['anthropic-beta']);
    const verdict = policy.check(view.raw, view.beta);
    if (!verdict.ok) return verdict;
    return { ...verdict, body: provider.fromPolicy(verdict.body, verdict.beta) };
  }

  private async messages(req: http.IncomingMessage, res: http.ServerResponse, route: ProviderRoute) {
    const gone = clientGone(res);
    const raw = await readBody(req);
    if (!raw) return refuse(res, 413, 'request_too_large', 'the request is larger than the API accepts');
    const verdict = this.checked(raw, req, route);
    if (!verdict.ok) {
      this.logOnce(`refused:${verdict.message}`, `refused a request: ${verdict.message}`);
      return refuse(res, verdict.status, verdict.type, verdict.message);
    }
    for (const note of verdict.notes) this.logOnce(note.kind, note.text);
    const reserved = worstCaseUsd({ bytes: verdict.body.length, ...verdict }, this.deps.prices);
    const admit = await this.deps.admission.enter(reserved, gone);
    if (admit.kind === 'gone') return;
    if (admit.kind === 'over-budget') {
      this.deps.ledger.countRefusal();
      return refuse(res, BUDGET_STATUS, 'budget_exceeded', this.capMessage());
    }
    this.send(req, res, route, verdict, admit.charge);
  }

  /** Signs and sends an admitted request; the charge settles exactly once whatever happens. */
  private send(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    route: ProviderRoute,
    verdict: Passed,
    charge: Charge,
  ): void {
    const target = targetUrl(this.deps.upstream.base, route.upstreamPath);
    const headers = rewrittenHeaders(req, verdict.beta, verdict.body);
    this.deps.provider
      .authorize({ method: 'POST', url: target, headers, body: verdict.body })
      .then((signed) =>
        forward(req, res, {
          upstream: this.deps.upstream,
          target,
          headers: signed,
          body: verdict.body,
          intercept: (up) => this.intercepted(up, res, true),
          meterFor: (up) => meterFor(up, charge, this.deps.log),
          settle: (metered) => charge.close(metered),
          unreachable: (err) => unreachable(res, err),
          log: this.deps.log,
        }),
      )
      .catch((err: unknown) => {
        // Nothing was sent: the credential could not be had (a Google token refresh that failed).
        charge.close(true);
        this.deps.log(`gateway: could not authenticate upstream: ${messageOf(err)}`);
        refuse(res, 502, 'api_error', 'the model gateway could not authenticate to the upstream API');
      });
  }
}
