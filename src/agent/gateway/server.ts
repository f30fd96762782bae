// The model gateway: a loopback proxy for the Messages API. The agent gets its URL and a per-run key;
// the real credential stays in Pilot's process. Each Messages request passes the request policy
// (policy.ts), waits for one of two upstream slots and a reservation under the cap (admission.ts),
// and streams back untouched while a tee reads its usage; once the cap is reached every further
// request is refused for good.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { Admission } from './admission.js';
import { upstreamOf } from './forward.js';
import { RequestHandler } from './handler.js';
import type { Credential } from './headers.js';
import { type GatewayUsage, Ledger } from './ledger.js';
import { type OutageState, OutageWatch } from './outage.js';
import { type PolicyOptions, RequestPolicy } from './policy.js';
import { DEFAULT_PRICES, type PriceRule } from './prices.js';
import { anthropicProvider } from './providers/anthropic.js';
import { type BedrockOptions, bedrockProvider } from './providers/bedrock.js';
import type { Provider, ProviderName } from './providers/provider.js';
import { type VertexOptions, vertexProvider } from './providers/vertex.js';

/** What the gateway authenticates upstream with: an Anthropic key or token, or a cloud provider's credentials. */
export type ModelCredential = Credential | { bedrock: BedrockOptions } | { vertex: VertexOptions };

export interface GatewayOptions {
  /**
   * Base URL of the real API: `anthropic-base-url`, `ANTHROPIC_BASE_URL`, or https://api.anthropic.com;
   * on Bedrock the regional bedrock-runtime endpoint, on Vertex the regional aiplatform `/v1` endpoint.
   */
  upstream: string;
  credential: ModelCredential;
  /** Spend (USD, at list prices) the run may never pass. `Infinity` for no cap. */
  maxCostUsd: number;
  /** The request policy; see PolicyOptions for what each part allows. */
  policy?: Partial<PolicyOptions>;
  /** Price rules tried before the defaults (first match wins). */
  prices?: readonly PriceRule[];
  /** Consecutive upstream 5xx/529 answers before the gateway calls an outage (outage.ts's default). */
  outageBudget?: number;
  /** One line per notable event; never given a credential. */
  log?: (line: string) => void;
}

export interface Gateway {
  /** `http://127.0.0.1:<port>`, for ANTHROPIC_BASE_URL. */
  url: string;
  /** The only key the agent ever sees. */
  agentKey: string;
  /** Where the model is served from, for the summary. */
  provider: ProviderName;
  region?: string;
  /** The variables that point the CLI at the gateway on this provider. */
  agentEnv(): Record<string, string>;
  usage(): GatewayUsage;
  /** True once the spend reached `maxCostUsd` or a request's reservation could not fit under it. */
  tripped(): boolean;
  /** The upstream's consecutive failures; `tripped` once the gateway called an outage (outage.ts). */
  outage(): OutageState;
  close(): Promise<void>;
}

/**
 * The CLI's own ceiling for Sonnet 4.5 (recorded: it asks for 32000; for Opus 5.5 it asks 128000).
 * A lower ceiling keeps the reservation, and so the budget held back near the cap, small.
 */
export const DEFAULT_MAX_OUTPUT_TOKENS = 32_000;

/** Upstream Messages requests at once; more wait their turn. */
export const MAX_IN_FLIGHT = 2;

/** AWS and Google region names (`us-east-1`, `europe-west1`, `global`): they go into URLs and signatures. */
const REGION = z.string().regex(/^[a-z][a-z0-9-]{1,30}$/);

function providerOf(credential: ModelCredential): Provider {
  if ('bedrock' in credential) return bedrockProvider(credential.bedrock);
  if ('vertex' in credential) return vertexProvider(credential.vertex);
  return anthropicProvider(credential);
}

const OptionsSchema = z.object({
  upstream: z.url({ protocol: /^https?$/ }),
  credential: z.union([
    z.object({ apiKey: z.string().min(1) }),
    z.object({ oauthToken: z.string().min(1) }),
    z.object({
      bedrock: z.object({ region: REGION, keys: z.custom<() => unknown>((v) => typeof v === 'function') }),
    }),
    z.object({
      vertex: z.object({
        region: REGION,
        projectId: z.string().regex(/^[a-z][a-z0-9-]{4,61}[a-z0-9]$/),
        accessToken: z.custom<() => unknown>((v) => typeof v === 'function'),
      }),
    }),
  ]),
  maxCostUsd: z.number().positive(),
  outageBudget: z.number().int().min(1).max(50).optional(),
  policy: z
    .object({
      models: z.array(z.string().min(1).max(200)).default([]),
      maxOutputTokens: z.number().int().min(4096).default(DEFAULT_MAX_OUTPUT_TOKENS),
      webSearch: z.boolean().default(false),
      webFetch: z.boolean().default(false),
    })
    .default({ models: [], maxOutputTokens: DEFAULT_MAX_OUTPUT_TOKENS, webSearch: false, webFetch: false }),
});

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const parsed = OptionsSchema.safeParse(options);
  if (!parsed.success) throw new Error(`invalid gateway options: ${z.prettifyError(parsed.error)}`);
  const log = options.log ?? (() => {});
  const cap = options.maxCostUsd;
  const agentKey = `sk-ant-pilot-${randomBytes(16).toString('hex')}`;
  const upstream = upstreamOf(options.upstream);
  const prices = [...(options.prices ?? []), ...DEFAULT_PRICES];
  const ledger = new Ledger(cap, prices, (u, why) =>
    log(`gateway: cost cap reached (${why}): $${u.costUsd.toFixed(4)} of $${cap}; refusing further requests`),
  );
  const provider = providerOf(options.credential);
  const outage = new OutageWatch(parsed.data.outageBudget);
  const handler = new RequestHandler({
    agentKey,
    provider,
    upstream,
    maxCostUsd: cap,
    ledger,
    admission: new Admission(MAX_IN_FLIGHT, ledger),
    outage,
    policy: new RequestPolicy(parsed.data.policy),
    prices,
    log,
  });
  const server = http.createServer((req, res) => handler.handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;

  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    agentKey,
    provider: provider.name,
    region: provider.region,
    agentEnv: () => provider.agentEnv(url, agentKey),
    usage: () => ledger.usage(),
    tripped: () => ledger.tripped(),
    outage: () => outage.snapshot(),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        upstream.agent.destroy();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

/** The variables that point the Claude Code CLI at the gateway; nothing else about the model. */
export function gatewayEnv(
  gw: Pick<Gateway, 'url' | 'agentKey'> & Partial<Pick<Gateway, 'agentEnv'>>,
): Record<string, string> {
  return gw.agentEnv?.() ?? { ANTHROPIC_BASE_URL: gw.url, ANTHROPIC_API_KEY: gw.agentKey };
}
