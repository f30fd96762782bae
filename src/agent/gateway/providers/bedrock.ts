// Amazon Bedrock: the CLI calls `/model/{id}/invoke-with-response-stream` (or `/invoke`) with the model
// in the path and the beta flags in the body's `anthropic_beta`; the gateway signs each request with
// the job's AWS credentials (SigV4, service `bedrock`) so the agent never holds one. Answers stream as
// `application/vnd.amazon.eventstream` (read by eventstream.ts).
// https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_InvokeModelWithResponseStream.html
import aws4 from 'aws4';
import { jsonObject, keyHeader, type Provider, type ProviderRoute } from './provider.js';

/** What aws-actions/configure-aws-credentials exports (AWS_ACCESS_KEY_ID, …). */
export interface AwsKeys {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface BedrockOptions {
  region: string;
  /** Asked for at each request, so keys replaced in the environment are picked up. */
  keys: () => AwsKeys;
}

const INVOKE = /^\/model\/([^/]+)\/(invoke|invoke-with-response-stream)$/;

function routeOf(method: string, path: string): ProviderRoute | undefined {
  const match = method === 'POST' ? INVOKE.exec(path) : null;
  if (!match) return undefined;
  let model: string;
  try {
    model = decodeURIComponent(match[1]);
  } catch {
    return undefined;
  }
  // The CLI sends `:` of a model id raw; AWS's SDKs send it encoded, and the signature is computed
  // over the path as sent, so it goes upstream the way AWS expects it.
  return { kind: 'messages', model, upstreamPath: `/model/${encodeURIComponent(model)}/${match[2]}` };
}

function betaFlags(header: string | string[] | undefined, body: unknown): string[] {
  const fromHeader = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',');
  const fromBody = Array.isArray(body) ? body.filter((f): f is string => typeof f === 'string') : [];
  return [...new Set([...fromHeader, ...fromBody].map((f) => f.trim()).filter(Boolean))];
}

/** Bedrock names an expired session `ExpiredTokenException` in `x-amzn-errortype`. */
const EXPIRED = /ExpiredToken/i;

export function bedrockProvider(opts: BedrockOptions): Provider {
  return {
    name: 'bedrock',
    region: opts.region,
    route: routeOf,
    toPolicy(raw, model, beta) {
      const body = jsonObject(raw);
      if (!body) return { raw, beta };
      // The policy reads every flag, header and body alike, so a flag cannot slip past it in the body.
      const flags = betaFlags(beta, body.anthropic_beta);
      delete body.anthropic_beta;
      return { raw: Buffer.from(JSON.stringify({ ...body, model })), beta: flags.join(',') || undefined };
    },
    fromPolicy(passed, beta) {
      const body = jsonObject(passed) ?? {};
      delete body.model;
      if (beta) body.anthropic_beta = beta.split(',');
      return Buffer.from(JSON.stringify(body));
    },
    async authorize(out) {
      const signed = aws4.sign(
        {
          host: out.url.host,
          method: out.method,
          path: `${out.url.pathname}${out.url.search}`,
          service: 'bedrock',
          region: opts.region,
          headers: { ...out.headers },
          body: out.body,
        },
        opts.keys(),
      );
      return signed.headers as Record<string, string>;
    },
    agentEnv: (url, agentKey) => ({
      CLAUDE_CODE_USE_BEDROCK: '1',
      AWS_REGION: opts.region,
      ANTHROPIC_BEDROCK_BASE_URL: url,
      CLAUDE_CODE_SKIP_BEDROCK_AUTH: '1',
      ...keyHeader(agentKey),
    }),
    explain(status, headers) {
      if (status !== 403 || !EXPIRED.test(String(headers['x-amzn-errortype'] ?? ''))) return undefined;
      return (
        'Bedrock refused the AWS credentials as expired. Credentials from aws-actions/configure-aws-credentials ' +
        '(OIDC) last one hour by default: set its role-duration-seconds above the job’s timeout-minutes, then run again.'
      );
    },
  };
}
