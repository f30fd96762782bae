// The HTTP side of the emulator: authentication, injected faults, routing, JSON in and out, and a
// log of every request. Routes come from the declarative table in routes/.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { graphqlReply } from './graphql.js';
import { ApiError, allowed, type Caller, compilePath, type Method, type Reply, type Route } from './http.js';
import { JOB_LOG_PATH } from './routes/actions.js';
import { ACTIONS_BOT, type GitHubState } from './state.js';

export interface Fault {
  method?: Method;
  /** Matched against the request path (without the query string). */
  path: RegExp;
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** How many matching requests fail (default 1). */
  times?: number;
}

/** A fault as registered: `hits` counts the requests it answered. */
export interface ActiveFault extends Fault {
  hits: number;
}

export interface RequestRecord {
  method: string;
  path: string;
  query: string;
  status: number;
  /** Login of the token's identity; undefined when authentication failed. */
  actor?: string;
  body?: unknown;
}

const DEFAULT_FAULT_MESSAGES: Record<number, string> = {
  403: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID.',
  429: 'API rate limit exceeded.',
};

interface CompiledRoute {
  route: Route;
  match: (path: string) => Record<string, string> | undefined;
}

export class GitHubServer {
  readonly faults: ActiveFault[] = [];
  readonly requests: RequestRecord[] = [];
  private readonly compiled: CompiledRoute[];
  private readonly server: http.Server;
  private requestCounter = 0;
  private readonly rateWindows = new Map<string, { used: number; reset: number }>();

  constructor(
    private readonly state: GitHubState,
    routes: readonly Route[],
    private readonly authenticate: (token: string) => Caller | undefined,
  ) {
    this.compiled = routes.map((route) => ({ route, match: compilePath(route.path) }));
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: String(error) }));
      });
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve, reject) => this.server.close((e) => (e ? reject(e) : resolve())));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.state.apiUrl());
    const method = (req.method ?? 'GET').toUpperCase();
    const raw = await readBody(req);
    if (url.pathname.startsWith(JOB_LOG_PATH)) {
      this.serveLog(url, res);
      return;
    }
    const record: RequestRecord = { method, path: url.pathname, query: url.search, status: 0 };
    this.requests.push(record);
    const reply = this.respond(method, url, req.headers.authorization, raw, record);
    record.status = reply.status;
    if (record.actor) reply.headers = { ...this.rateLimitHeaders(record.actor), ...reply.headers };
    this.send(res, reply);
  }

  private respond(
    method: string,
    url: URL,
    authorization: string | undefined,
    raw: string,
    record: RequestRecord,
  ): Reply {
    try {
      const caller = this.authorize(authorization);
      record.actor = caller.user.login;
      const body = parseJson(raw);
      record.body = body;
      const fault = this.takeFault(method, url.pathname);
      if (fault) return fault;
      // GraphQL is not part of the REST description the route table is held to: see graphql.ts.
      if (method === 'POST' && url.pathname === '/graphql') return graphqlReply(this.state, caller, body);
      for (const { route, match } of this.compiled) {
        if (route.method !== method) continue;
        const params = match(url.pathname);
        if (!params) continue;
        if (!allowed(caller.permissions, route.scope ?? 'metadata', route.method)) {
          // What GitHub answers when the workflow's `permissions:` lack the scope.
          throw new ApiError(403, 'Resource not accessible by integration');
        }
        return route.handler({
          params,
          query: url.searchParams,
          body,
          caller,
          state: this.state,
          requestUrl: url,
        });
      }
      throw new ApiError(404, 'Not Found');
    } catch (error) {
      if (error instanceof ApiError)
        return { status: error.status, body: error.toBody(), headers: error.headers };
      throw error;
    }
  }

  /**
   * GitHub's primary rate-limit headers, counted per identity (reported, not enforced):
   * `GITHUB_TOKEN` gets 1,000 requests an hour, other tokens 5,000. Inject a fault to exceed them.
   */
  private rateLimitHeaders(actor: string): Record<string, string> {
    const now = Math.floor(Date.now() / 1000);
    let window = this.rateWindows.get(actor);
    if (!window || window.reset <= now) {
      window = { used: 0, reset: now + 3600 };
      this.rateWindows.set(actor, window);
    }
    window.used++;
    const limit = actor === ACTIONS_BOT.login ? 1000 : 5000;
    return {
      'x-ratelimit-limit': String(limit),
      'x-ratelimit-remaining': String(Math.max(limit - window.used, 0)),
      'x-ratelimit-used': String(window.used),
      'x-ratelimit-reset': String(window.reset),
      'x-ratelimit-resource': 'core',
    };
  }

  private authorize(authorization: string | undefined): Caller {
    const token = /^(?:token|bearer)\s+(.+)$/i.exec(authorization ?? '')?.[1];
    if (!token) throw new ApiError(401, 'Requires authentication');
    const caller = this.authenticate(token.trim());
    if (!caller) throw new ApiError(401, 'Bad credentials');
    return caller;
  }

  private takeFault(method: string, path: string): Reply | undefined {
    const fault = this.faults.find(
      (f) => (!f.method || f.method === method) && f.path.test(path) && f.hits < (f.times ?? 1),
    );
    if (!fault) return undefined;
    fault.hits++;
    const message = DEFAULT_FAULT_MESSAGES[fault.status] ?? 'Server Error';
    const body = fault.body ?? {
      message,
      documentation_url: 'https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api',
      status: String(fault.status),
    };
    return { status: fault.status, body, headers: fault.headers };
  }

  private serveLog(url: URL, res: http.ServerResponse): void {
    const job = this.state.jobs.get(Number(url.pathname.slice(JOB_LOG_PATH.length)));
    if (!job) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(job.log);
  }

  private send(res: http.ServerResponse, reply: Reply): void {
    const headers: Record<string, string> = {
      'x-github-request-id': `EMU:${++this.requestCounter}`,
      'x-github-media-type': 'github.v3; format=json',
      ...reply.headers,
    };
    if (reply.body === undefined || reply.status === 204) {
      res.writeHead(reply.status, headers).end();
      return;
    }
    res.writeHead(reply.status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    res.end(JSON.stringify(reply.body));
  }
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseJson(raw: string): Record<string, unknown> {
  if (raw.trim() === '') return {};
  try {
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed === 'object' && parsed !== null) return parsed as Record<string, unknown>;
  } catch {
    // fall through to GitHub's answer for unparseable bodies
  }
  throw new ApiError(400, 'Problems parsing JSON');
}
