// Scans text Pilot is about to publish (the diff of a push) for secrets: the values Pilot holds, and
// well-known token shapes. A finding names the file, the line and the kind, never the value.

export interface SecretFinding {
  file: string;
  line: number;
  kind: string;
}

const SHAPES: Array<[string, RegExp]> = [
  ['GitHub token', /\bgh[pousr]_[A-Za-z0-9]{20,}/],
  ['GitHub fine-grained token', /\bgithub_pat_[A-Za-z0-9_]{20,}/],
  ['Anthropic API key', /\bsk-ant-[A-Za-z0-9_-]{10,}/],
  ['AWS access key id', /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/],
  ['private key', /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY( BLOCK)?-----/],
];

// `FOO_KEY = "…"`, `apiToken: '…'`, `"client_secret": "…"`: a name ending in key/token/secret/password
// assigned a literal.
const ASSIGNMENT =
  /([A-Za-z0-9_.-]*(?:key|token|secret|passwd|password))["']?\s*(?::=|=>|[:=])\s*["'`]?([A-Za-z0-9+/_.~=-]{16,})/gi;

/** Shannon entropy in bits per character. */
export function entropy(value: string): number {
  const counts = new Map<string, number>();
  for (const ch of value) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / value.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/** Random-looking: long, mixed letters and digits, high entropy (not `process.env.MY_TOKEN`). */
function looksRandom(value: string): boolean {
  return value.length >= 16 && /[0-9]/.test(value) && /[A-Za-z]/.test(value) && entropy(value) >= 3.5;
}

/** What in one line looks like a secret; `known` are the exact values Pilot holds. */
export function secretKindsIn(line: string, known: readonly string[]): string[] {
  const kinds: string[] = [];
  if (known.some((value) => line.includes(value))) kinds.push('a secret value Pilot holds');
  for (const [kind, re] of SHAPES) if (re.test(line)) kinds.push(kind);
  for (const m of line.matchAll(ASSIGNMENT)) {
    if (looksRandom(m[2])) {
      kinds.push(`high-entropy value assigned to ${m[1].slice(0, 60)}`);
      break;
    }
  }
  return kinds;
}

/**
 * Findings in a unified diff (`git diff -U0` / `git log -p`): only added lines count, numbered as in
 * the new file.
 */
export function scanDiff(diff: string, known: readonly string[]): SecretFinding[] {
  const findings: SecretFinding[] = [];
  const secrets = known.filter((v) => v.length >= 6);
  let file = '';
  let line = 0;
  let inHeader = true;
  for (const text of diff.split('\n')) {
    if (text.startsWith('diff --git ') || text.startsWith('commit ')) {
      inHeader = true;
      continue;
    }
    const hunk = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(text);
    if (hunk) {
      line = Number(hunk[1]);
      inHeader = false;
      continue;
    }
    if (inHeader) {
      if (text.startsWith('+++ ')) file = text.slice(4).replace(/^b\//, '');
      continue;
    }
    if (text.startsWith('+') && file !== '/dev/null') {
      for (const kind of secretKindsIn(text.slice(1), secrets)) findings.push({ file, line, kind });
      line++;
    } else if (text.startsWith(' ')) {
      line++;
    }
  }
  return dedupe(findings);
}

function dedupe(findings: SecretFinding[]): SecretFinding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = `${f.file}:${f.line}:${f.kind}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
