// The model gateway (see server.ts): start it, point the agent at it with gatewayEnv, read its usage.
export { type Credential, OAUTH_BETA } from './headers.js';
export type { GatewayUsage } from './ledger.js';
export { OUTAGE_BUDGET, type OutageState } from './outage.js';
export type { PolicyOptions } from './policy.js';
export { DEFAULT_PRICES, type Price, type PriceRule, priceFor } from './prices.js';
export {
  type AwsKeys,
  type BedrockOptions,
  googleAccessToken,
  PROVIDERS,
  type ProviderName,
  type VertexOptions,
} from './providers/index.js';
export {
  DEFAULT_MAX_OUTPUT_TOKENS,
  type Gateway,
  type GatewayOptions,
  gatewayEnv,
  MAX_IN_FLIGHT,
  type ModelCredential,
  startGateway,
} from './server.js';
