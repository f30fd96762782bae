// Turning raw input text or YAML values into typed settings, and checking them against their schema.
import type { Setting } from './schema.js';

export type Checked = { ok: true; value: unknown } | { ok: false; bad: unknown; index?: number };

/** Lists in inputs are written one per line or comma-separated (`npm test, npm run lint`). */
export function splitList(text: string): string[] {
  return text
    .split(/[,\n]/)
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

const WHOLE = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)$/;

/** Inputs are always strings; numbers that do not look like numbers stay text so the error quotes them. */
export function fromInputText(spec: Setting, raw: string): unknown {
  switch (spec.kind) {
    case 'int':
      return WHOLE.test(raw) ? Number(raw) : raw;
    case 'number':
      return DECIMAL.test(raw) ? Number(raw) : raw;
    case 'list':
      return splitList(raw);
    case 'labels':
      return raw.startsWith('[') ? parseJson(raw) : splitList(raw);
    default:
      return raw;
  }
}

/** `runs-on` style lists arrive as JSON from workflows (`'["self-hosted", "pilot"]'`). */
function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/** YAML already gives types; only lists written as one string and numeric strings need a nudge. */
export function fromFileValue(spec: Setting, value: unknown): unknown {
  if (spec.kind === 'list' && typeof value === 'string') return splitList(value);
  if (spec.kind === 'string' && typeof value === 'number') return String(value);
  if (spec.kind === 'string' && value === '' && spec.fallback === undefined) return undefined;
  return value;
}

/** Validate a converted value; on failure say which value (or which list item) was wrong. */
export function check(spec: Setting, value: unknown): Checked {
  const result = spec.schema.safeParse(value);
  if (result.success) return { ok: true, value: result.data };
  const first = result.error.issues[0]?.path[0];
  if (Array.isArray(value) && typeof first === 'number')
    return { ok: false, bad: value[first], index: first };
  return { ok: false, bad: value };
}
