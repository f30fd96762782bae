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
import { type PolicyOptions, RequestPolicy } from './policy.js';
import { DEFAULT_PRICES, type PriceRule } from './prices.js';

export interface GatewayOptions {
  /** Base URL of the real API: `anthropic-base-url`, `ANTHROPIC_BASE_URL`, or https://api.anthropic.com. */
  upstream: string;
  credential: Credential;
  /** Spend (USD, at list prices) the run may never pass. `Infinity` for no cap. */
  maxCostUsd: number;
  /** The request policy; see PolicyOptions for what each part allows. */
  policy?: Partial<PolicyOptions>;
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
  /** True once the spend reached `maxCostUsd` or a request's reservation could not fit under it. */
  tripped(): boolean;
  close(): Promise<void>;
}

/**
 * The CLI's own ceiling for Sonnet 4.5 (recorded: it asks for 32000; for Opus 5.5 it asks 128000).
 * A lower ceiling keeps the reservation, and so the budget held back near the cap, small.
 */
export const DEFAULT_MAX_OUTPUT_TOKENS = 32_000;

/** Upstream Messages requests at once; more wait their turn. */
export const MAX_IN_FLIGHT = 2;

const OptionsSchema = z.object({
  upstream: z.url({ protocol: /^https?$/ }),
  credential: z.union([z.object({ apiKey: z.string().min(1) }), z.object({ oauthToken: z.string().min(1) })]),
  maxCostUsd: z.number().positive(),
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
  const handler = new RequestHandler({
    agentKey,
    credential: options.credential,
    upstream,
    maxCostUsd: cap,
    ledger,
    admission: new Admission(MAX_IN_FLIGHT, ledger),
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
