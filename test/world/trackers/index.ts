// Small local emulators of the two tracker calls Pilot makes (docs/trackers.md): Jira's
// `POST /rest/api/2/issue/{key}/comment` and Linear's GraphQL `commentCreate`. They check the
// credential the way the services do (Jira Cloud: basic email:token; Linear: the key in Authorization),
// record what arrived, and can answer 503 a few times first to exercise Pilot's retries.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TicketComment {
  tracker: 'jira' | 'linear';
  key: string;
  body: string;
  authorization: string;
}

export interface TrackerOptions {
  jira?: { user: string; token: string };
  linearToken?: string;
  /** Answer this many requests with 503 before accepting. */
  failFirst?: number;
}

export interface TrackerServer {
  url: string;
  comments: TicketComment[];
  /** Requests refused for a wrong credential or shape, with why. */
  refused: string[];
  requests: number;
  close(): Promise<void>;
}

const JIRA_COMMENT = /^\/rest\/api\/2\/issue\/([^/]+)\/comment$/;

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: http.ServerResponse, status: number, json: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(json));
}

export async function startTrackers(opts: TrackerOptions = {}): Promise<TrackerServer> {
  const state = { comments: [] as TicketComment[], refused: [] as string[], requests: 0 };
  let failures = opts.failFirst ?? 0;
  const server = http.createServer(async (req, res) => {
    const text = await readBody(req);
    state.requests++;
    if (failures > 0) {
      failures--;
      send(res, 503, { errorMessages: ['try again'] });
      return;
    }
    const auth = req.headers.authorization ?? '';
    const jira = JIRA_COMMENT.exec(req.url ?? '');
    if (req.method === 'POST' && jira) {
      jiraComment(state, opts, jira[1], auth, text, res);
      return;
    }
    if (req.method === 'POST' && req.url === '/graphql') {
      linearComment(state, opts, auth, text, res);
      return;
    }
    send(res, 404, { errorMessages: ['no such route'] });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get comments() {
      return state.comments;
    },
    get refused() {
      return state.refused;
    },
    get requests() {
      return state.requests;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

type State = { comments: TicketComment[]; refused: string[] };

function jiraComment(
  state: State,
  opts: TrackerOptions,
  key: string,
  auth: string,
  text: string,
  res: http.ServerResponse,
): void {
  const expected =
    opts.jira && `Basic ${Buffer.from(`${opts.jira.user}:${opts.jira.token}`).toString('base64')}`;
  if (auth !== expected) {
    state.refused.push(`jira: bad credentials for ${key}`);
    send(res, 401, { errorMessages: ['You are not authenticated.'] });
    return;
  }
  const body = (JSON.parse(text) as { body?: unknown }).body;
  if (typeof body !== 'string') {
    send(res, 400, { errors: { comment: 'Comment body can not be empty!' } });
    return;
  }
  const key_ = decodeURIComponent(key);
  state.comments.push({ tracker: 'jira', key: key_, body, authorization: auth });
  send(res, 201, { id: String(state.comments.length), body });
}

function linearComment(
  state: State,
  opts: TrackerOptions,
  auth: string,
  text: string,
  res: http.ServerResponse,
): void {
  if (!opts.linearToken || auth !== opts.linearToken) {
    state.refused.push('linear: bad credentials');
    send(res, 400, { errors: [{ message: 'Authentication required, not authenticated' }] });
    return;
  }
  const json = JSON.parse(text) as { query?: string; variables?: { issueId?: string; body?: string } };
  if (!json.query?.includes('commentCreate') || !json.variables?.issueId || !json.variables.body) {
    // Linear answers a GraphQL error with 200 and `errors`, as GraphQL servers do.
    send(res, 200, { data: null, errors: [{ message: 'unexpected GraphQL request' }] });
    return;
  }
  state.comments.push({
    tracker: 'linear',
    key: json.variables.issueId,
    body: json.variables.body,
    authorization: auth,
  });
  send(res, 200, { data: { commentCreate: { success: true } } });
}
