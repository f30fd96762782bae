// A local Vertex AI endpoint for the gateway's tests: it checks the Bearer access token, the project
// and region in the path, refuses a `model` in the body (the model is in the path) and a missing
// `anthropic_version`, and streams the scripted Messages API's answer back as SSE, as Vertex does.
import type http from 'node:http';
import { frame } from '../model/sse.js';
import { type Arrived, listen, scripted, sendJson } from './front.js';

export interface VertexOptions {
  modelUrl: string;
  token: string;
  projectId: string;
  region: string;
}

export interface VertexRequest extends Arrived {
  modelId: string;
  json: Record<string, unknown>;
}

export interface VertexServer {
  url: string;
  /** Google's STS token exchange on this server, for an `external_account` credentials file's token_url. */
  tokenUrl: string;
  /** The subject tokens exchanged there (what the credentials file pointed at). */
  exchanged: string[];
  accepted: VertexRequest[];
  refused: string[];
  close(): Promise<void>;
}

const PREDICT =
  /^\/v1\/projects\/([^/]+)\/locations\/([^/]+)\/publishers\/anthropic\/models\/([^/:]+):(rawPredict|streamRawPredict)$/;

function googleError(res: http.ServerResponse, status: number, message: string): void {
  sendJson(res, status, {
    error: { code: status, message, status: status === 401 ? 'UNAUTHENTICATED' : 'INVALID_ARGUMENT' },
  });
}

export async function startVertex(opts: VertexOptions): Promise<VertexServer> {
  const accepted: VertexRequest[] = [];
  const refused: string[] = [];
  const exchanged: string[] = [];

  /** https://cloud.google.com/iam/docs/reference/sts/rest/v1/TopLevel/token: a subject token for an access token. */
  function exchange(req: Arrived, res: http.ServerResponse): void {
    const form = new URLSearchParams(req.body.toString('utf8'));
    exchanged.push(form.get('subject_token') ?? '');
    sendJson(res, 200, {
      access_token: opts.token,
      issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      token_type: 'Bearer',
      expires_in: 3600,
    });
  }

  async function answer(req: Arrived, res: http.ServerResponse): Promise<void> {
    if (req.method === 'POST' && req.rawPath === '/v1/token') return exchange(req, res);
    if (req.headers.authorization !== `Bearer ${opts.token}`) {
      refused.push(`bad bearer: ${String(req.headers.authorization).slice(0, 20)}`);
      return googleError(res, 401, 'Request had invalid authentication credentials.');
    }
    const match = PREDICT.exec(req.rawPath);
    if (req.method !== 'POST' || !match || match[1] !== opts.projectId || match[2] !== opts.region) {
      refused.push(`bad path ${req.rawPath}`);
      return googleError(res, 404, `no such resource ${req.rawPath}`);
    }
    const json = JSON.parse(req.body.toString('utf8')) as Record<string, unknown>;
    const modelId = decodeURIComponent(match[3]);
    accepted.push({ ...req, modelId, json });
    if ('model' in json || json.anthropic_version !== 'vertex-2023-10-16')
      return googleError(res, 400, 'extraneous model or missing anthropic_version');
    const { anthropic_version: _, ...body } = json;
    const beta = req.headers['anthropic-beta'];
    const upstream = await scripted(
      opts.modelUrl,
      { ...body, model: modelId },
      beta ? String(beta) : undefined,
    );
    if (upstream.status !== 200) return googleError(res, upstream.status, upstream.text);
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    for (const event of upstream.events) res.write(frame(event));
    res.end();
  }

  const server = await listen(answer);
  return {
    url: `${server.url}/v1`,
    tokenUrl: `${server.url}/v1/token`,
    exchanged,
    accepted,
    refused,
    close: server.close,
  };
}
