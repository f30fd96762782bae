// Google Vertex AI: the CLI calls `…/projects/{p}/locations/{r}/publishers/anthropic/models/{m}:streamRawPredict`
// (or `:rawPredict`) with the model in the path and an SSE answer like the Anthropic API's; the
// gateway adds a Google access token upstream, so the agent never holds one.
// https://cloud.google.com/vertex-ai/generative-ai/docs/partner-models/claude/use-claude
import { readFile } from 'node:fs/promises';
import { jsonObject, keyHeader, type Provider, type ProviderRoute } from './provider.js';

export interface VertexOptions {
  region: string;
  projectId: string;
  /** A current access token; google-auth-library refreshes it before it expires. */
  accessToken: () => Promise<string>;
}

const PREDICT =
  /^\/projects\/([^/]+)\/locations\/([^/]+)\/publishers\/anthropic\/models\/([^/:]+):(rawPredict|streamRawPredict)$/;

/** Only the configured project and region: the agent may not bill another project Pilot's identity can reach. */
function routeFor(opts: VertexOptions) {
  return (method: string, path: string): ProviderRoute | undefined => {
    const match = method === 'POST' ? PREDICT.exec(path) : null;
    if (!match || match[1] !== opts.projectId || match[2] !== opts.region) return undefined;
    let model: string;
    try {
      model = decodeURIComponent(match[3]);
    } catch {
      return undefined;
    }
    return { kind: 'messages', model, upstreamPath: path };
  };
}

export function vertexProvider(opts: VertexOptions): Provider {
  return {
    name: 'vertex',
    region: opts.region,
    route: routeFor(opts),
    toPolicy(raw, model, beta) {
      const body = jsonObject(raw);
      return body ? { raw: Buffer.from(JSON.stringify({ ...body, model })), beta } : { raw, beta };
    },
    fromPolicy(passed) {
      const body = jsonObject(passed) ?? {};
      delete body.model;
      return Buffer.from(JSON.stringify(body));
    },
    async authorize(out) {
      return { ...out.headers, authorization: `Bearer ${await opts.accessToken()}` };
    },
    agentEnv: (url, agentKey) => ({
      CLAUDE_CODE_USE_VERTEX: '1',
      CLOUD_ML_REGION: opts.region,
      ANTHROPIC_VERTEX_PROJECT_ID: opts.projectId,
      ANTHROPIC_VERTEX_BASE_URL: url,
      CLAUDE_CODE_SKIP_VERTEX_AUTH: '1',
      ...keyHeader(agentKey),
    }),
    explain(status) {
      if (status !== 401) return undefined;
      return 'Vertex AI refused the Google access token: check that google-github-actions/auth ran before Pilot and its credentials are still valid.';
    },
  };
}

/**
 * The job's Google credentials as an access-token source: what google-github-actions/auth leaves in
 * GOOGLE_APPLICATION_CREDENTIALS (an `external_account` file for Workload Identity Federation, or a
 * key), else Application Default Credentials. The project is given so the library never looks it up.
 * google-auth-library is loaded only here, so runs on other providers never pay for it at start-up.
 */
export async function googleAccessToken(projectId: string, keyFile?: string): Promise<() => Promise<string>> {
  const { GoogleAuth } = await import('google-auth-library');
  const auth = new GoogleAuth({ scopes: ['https://www.googleapis.com/auth/cloud-platform'], projectId });
  // Without a file, Application Default Credentials read GOOGLE_APPLICATION_CREDENTIALS themselves.
  const client = keyFile
    ? auth.fromJSON(JSON.parse(await readFile(keyFile, 'utf8')))
    : await auth.getClient();
  return async () => {
    const { token } = await client.getAccessToken();
    if (!token) throw new Error('google-auth-library returned no access token');
    return token;
  };
}
