// One request's trip upstream and back: the answer streams through untouched while a tee shows it to
// a meter, and `settle` says, exactly once, whether the answer ended with its usage counted.
import type http from 'node:http';
import { Agent as HttpAgent, request as httpRequest, type OutgoingHttpHeaders } from 'node:http';
import https from 'node:https';
import { pipeline, Transform } from 'node:stream';
import { endToEnd } from './headers.js';
import type { Meter } from './meter.js';

export interface Upstream {
  base: URL;
  request: typeof httpRequest;
  agent: http.Agent;
}

export function upstreamOf(url: string): Upstream {
  const base = new URL(url);
  const secure = base.protocol === 'https:';
  return {
    base,
    request: secure ? https.request : httpRequest,
    agent: secure ? new https.Agent({ keepAlive: true }) : new HttpAgent({ keepAlive: true }),
  };
}

/** The upstream URL for a request path: the base URL's own path prefix is kept (proxies use one). */
export function targetUrl(base: URL, pathAndQuery: string): URL {
  const target = new URL(base.href);
  const local = new URL(pathAndQuery, 'http://gateway');
  target.pathname = `${base.pathname.replace(/\/$/, '')}${local.pathname}`;
  target.search = local.search;
  return target;
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

/** Failures before the request could reach the API: nothing was generated, so nothing is billed. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

export interface Trip {
  upstream: Upstream;
  /** Where the request goes (the provider may have re-encoded the path to sign it); the agent's path by default. */
  target?: URL;
  headers: OutgoingHttpHeaders;
  /** The rewritten body; without it the client's body is streamed through as it arrives. */
  body?: Buffer;
  meterFor(answer: http.IncomingMessage): Meter;
  /** True when it answered the client itself (an error answer, so nothing was billed). */
  intercept?(answer: http.IncomingMessage): boolean;
  /** `metered`: the answer's usage is all counted, or nothing was billed. Called exactly once. */
  settle(metered: boolean): void;
  /** Answers the client when the upstream could not be reached. */
  unreachable(err: Error): void;
  log(line: string): void;
}

export function forward(req: http.IncomingMessage, res: http.ServerResponse, trip: Trip): void {
  let meter: Meter | undefined;
  let settled = false;
  const settle = (metered: boolean) => {
    if (settled) return;
    settled = true;
    trip.settle(metered);
  };
  const out = trip.upstream.request(trip.target ?? targetUrl(trip.upstream.base, req.url ?? '/'), {
    method: req.method,
    headers: trip.headers,
    agent: trip.upstream.agent,
  });
  out.on('response', (up) => {
    if (trip.intercept?.(up)) {
      up.resume();
      return settle(true);
    }
    const answerMeter = trip.meterFor(up);
    meter = answerMeter;
    res.writeHead(up.statusCode ?? 502, endToEnd(up.headers));
    // Headers go out now, before the first body byte: the client sees the stream open at once.
    res.flushHeaders();
    pipeline(up, tee(answerMeter), res, (err) => {
      if (err) trip.log(`gateway: answer from upstream cut short: ${err.message}`);
      settle(answerMeter.complete());
    });
  });
  out.on('error', (err: NodeJS.ErrnoException) => {
    if (meter) return settle(meter.complete());
    trip.log(`gateway: upstream request failed: ${err.message}`);
    settle(NOT_SENT.has(err.code ?? ''));
    trip.unreachable(err);
  });
  // A client that hangs up mid-answer stops the upstream request too.
  res.on('close', () => {
    if (!res.writableFinished) out.destroy();
  });
  if (trip.body) out.end(trip.body);
  else req.pipe(out);
}
