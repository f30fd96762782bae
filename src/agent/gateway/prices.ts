// List prices in USD per million tokens, by model family, for the gateway's own cost accounting.
// Sources: https://docs.anthropic.com/en/docs/about-claude/pricing (cache writes: 5-minute TTL 1.25x
// input, 1-hour TTL 2x input; cache reads 0.1x input; web search $10 per 1,000 searches). The pinned
// Claude Code CLI carries the same figures for its `total_cost_usd`.

export interface Price {
  input: number;
  output: number;
  /** Cache writes with the default 5-minute TTL. */
  cacheWrite: number;
  /** Cache writes with the 1-hour TTL (`usage.cache_creation.ephemeral_1h_input_tokens`). */
  cacheWrite1h: number;
  cacheRead: number;
  /** USD per server-side web search request (not per token). */
  webSearch: number;
}

/** A family name and the model ids it covers; the first matching entry wins. */
export interface PriceRule {
  family: string;
  match: RegExp;
  price: Price;
}

const WEB_SEARCH = 0.01;

function family(input: number, output: number): Price {
  return {
    input,
    output,
    cacheWrite: input * 1.25,
    cacheWrite1h: input * 2,
    cacheRead: input / 10,
    webSearch: WEB_SEARCH,
  };
}

export const SONNET = family(3, 15);

/**
 * Ordered: Opus 4 and 4.1 (and Claude 3 Opus) still cost three times what Opus 4.5+ costs, so they are
 * matched before the general Opus rule. Under-pricing is the dangerous direction for a cap.
 */
export const DEFAULT_PRICES: readonly PriceRule[] = [
  // claude-opus-4-20250514, claude-opus-4-1[-20250805], Bedrock's …-v1:0 forms; not opus-4-5 or later.
  {
    family: 'opus-legacy',
    match: /claude-3-opus|opus-4(?:-[01])?(?:[-@]\d{8})?(?!\d|[-.]\d)/i,
    price: family(15, 75),
  },
  { family: 'opus', match: /opus/i, price: family(5, 25) },
  { family: 'sonnet', match: /sonnet/i, price: SONNET },
  { family: 'haiku-3', match: /claude-3-haiku/i, price: family(0.25, 1.25) },
  { family: 'haiku-3.5', match: /claude-3-5-haiku/i, price: family(0.8, 4) },
  { family: 'haiku', match: /haiku/i, price: family(1, 5) },
];

/**
 * The price for a model id. An unknown model (a new family, a proxy's alias, a fake in tests) is
 * priced as Sonnet: the CLI's default tier, so the cap stays meaningful instead of counting zero.
 */
export function priceFor(model: string | undefined, rules: readonly PriceRule[] = DEFAULT_PRICES): Price {
  if (!model) return SONNET;
  return rules.find((rule) => rule.match.test(model))?.price ?? SONNET;
}

/** Token counts for one response (or one increment of it). */
export interface TokenCounts {
  input: number;
  output: number;
  cacheRead: number;
  /** All cache writes, both TTLs. */
  cacheWrite: number;
  /** The part of `cacheWrite` written with the 1-hour TTL. */
  cacheWrite1h: number;
  webSearch: number;
}

export const NO_TOKENS: TokenCounts = {
  input: 0,
  output: 0,
  cacheRead: 0,
  cacheWrite: 0,
  cacheWrite1h: 0,
  webSearch: 0,
};

export function costOf(tokens: TokenCounts, price: Price): number {
  const fiveMinuteWrites = Math.max(0, tokens.cacheWrite - tokens.cacheWrite1h);
  const perToken =
    tokens.input * price.input +
    tokens.output * price.output +
    tokens.cacheRead * price.cacheRead +
    fiveMinuteWrites * price.cacheWrite +
    tokens.cacheWrite1h * price.cacheWrite1h;
  return perToken / 1_000_000 + tokens.webSearch * price.webSearch;
}
