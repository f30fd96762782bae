// Which models a run may ask the gateway for: the one Pilot chose (`model`, or triage's pick), and the
// CLI's own small/fast background model. Anything else is refused before it reaches the upstream, so a
// hijacked agent (or a script it runs with the per-run key) cannot switch to a dearer model.

/**
 * Claude Code's aliases and the model families they stand for. The CLI resolves an alias itself and
 * asks for a full id (2.1.331: `opus` → `claude-opus-5-5`, `sonnet` → `claude-sonnet-5-5`), so an alias
 * allows its whole family; prices differ inside a family, but the cap reserves by the id asked for.
 */
const ALIASES: Record<string, readonly string[]> = {
  opus: ['opus'],
  sonnet: ['sonnet'],
  haiku: ['haiku'],
  fable: ['fable'],
  best: ['opus'],
  opusplan: ['opus', 'sonnet'],
};

/**
 * Without `--model` the pinned CLI (2.1.331) asks for `claude-opus-5-5` (recorded in
 * test/agent/gateway.e2e.test.ts "passes the CLI's own requests"). A newer CLI with another default
 * is refused with a message that names the allowed models, never silently let through.
 */
export const CLI_DEFAULT_ALIAS = 'opus';

/**
 * The CLI's small/fast model (`ANTHROPIC_SMALL_FAST_MODEL`, default Haiku) writes titles and
 * summaries and reads WebFetch pages. Haiku is the cheapest family, so allowing it adds no cost risk.
 */
export const BACKGROUND_ALIAS = 'haiku';

export interface ModelRule {
  /** What the refusal tells the agent it may use. */
  label: string;
  allows(model: string): boolean;
}

function familyRule(family: string, label: string): ModelRule {
  // A whole segment of the id: `claude-opus-5-5` is Opus, `claude-opusx-1` is not.
  const segment = new RegExp(`(?:^|[^a-z])${family}(?:[^a-z]|$)`, 'i');
  return { label, allows: (model) => segment.test(model) };
}

/** `sonnet[1m]` asks for the 1M-token context window of the same model. */
function withoutSuffix(name: string): string {
  return name.replace(/\[[^\]]*\]$/, '').trim();
}

function rulesFor(name: string, label: string): ModelRule[] {
  const bare = withoutSuffix(name).toLowerCase();
  const families = ALIASES[bare];
  if (families) return families.map((family) => familyRule(family, label));
  return [{ label, allows: (model) => model.toLowerCase() === bare }];
}

/** The rules for a run; `configured` empty (or `default`) means the CLI's own default model. */
export function allowedModels(configured: readonly string[]): ModelRule[] {
  const chosen = configured.map((m) => m.trim()).filter((m) => m !== '' && m.toLowerCase() !== 'default');
  const main =
    chosen.length > 0
      ? chosen.flatMap((m) => rulesFor(m, m))
      : rulesFor(CLI_DEFAULT_ALIAS, `${CLI_DEFAULT_ALIAS} (the CLI's default)`);
  return [...main, ...rulesFor(BACKGROUND_ALIAS, `${BACKGROUND_ALIAS} (the CLI's background model)`)];
}

export function modelAllowed(rules: readonly ModelRule[], model: string): boolean {
  return rules.some((rule) => rule.allows(model));
}

export function describeAllowed(rules: readonly ModelRule[]): string {
  return [...new Set(rules.map((rule) => rule.label))].join(', ');
}

/** True when a configured model asks for the 1M-token context window (the CLI then sends its beta). */
export function wantsLongContext(configured: readonly string[]): boolean {
  return configured.some((m) => /\[1m\]$/i.test(m.trim()));
}
