// Which `anthropic-beta` flags reach the upstream. A beta can switch on a paid server feature (fast
// mode at a higher price, server-side fallbacks to other models, MCP connectors, code execution), so
// only the flags the CLI itself needs pass; the rest are dropped, not refused, so the request still works.

/**
 * What the pinned CLI (2.1.331) sends on its agent turns and side requests, recorded against the
 * scripted model server (default model, `--model sonnet|opus|haiku|claude-sonnet-4-5`, `--json-schema`,
 * WebSearch); `--json-schema` adds a StructuredOutput tool, not a beta. Kept as well: flags the CLI
 * sends in other configurations that open no spending path (fine-grained tool streaming, structured
 * outputs, prompt caching scope/TTL, redacted thinking).
 */
export const CLI_BETAS: readonly string[] = [
  'claude-code-20250219',
  'interleaved-thinking-2025-05-14',
  'context-management-2025-06-27',
  'per-turn-control-2026-07-01',
  'mid-conversation-tool-changes-2026-07-01',
  'thinking-token-count-2026-05-13',
  'advanced-tool-use-2025-11-20',
  'effort-2025-11-24',
  'thinking-display-updates-2026-08-18',
  'fine-grained-tool-streaming-2025-05-14',
  'structured-outputs-2025-12-15',
  'prompt-caching-scope-2026-01-05',
  'extended-cache-ttl-2025-04-11',
  'redact-thinking-2026-02-12',
];

/** The 1M-token context window: input past 200k tokens costs more, so only when the model asks for it. */
export const LONG_CONTEXT_BETA = 'context-1m-2025-08-07';

export interface BetaRules {
  longContext: boolean;
  webSearch: boolean;
  webFetch: boolean;
}

function allowed(flag: string, rules: BetaRules): boolean {
  if (CLI_BETAS.includes(flag)) return true;
  if (flag === LONG_CONTEXT_BETA) return rules.longContext;
  if (/^web-search-\d{4}-\d{2}-\d{2}$/.test(flag)) return rules.webSearch;
  if (/^web-fetch-\d{4}-\d{2}-\d{2}$/.test(flag)) return rules.webFetch;
  return false;
}

/** The header value to send (undefined: none) and the flags dropped from it. */
export function filterBetas(
  header: string | string[] | undefined,
  rules: BetaRules,
): { value: string | undefined; dropped: string[] } {
  const flags = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean);
  const kept = flags.filter((f) => allowed(f, rules));
  const dropped = flags.filter((f) => !allowed(f, rules));
  return { value: kept.length > 0 ? kept.join(',') : undefined, dropped };
}
