// Configuration errors name the key, the bad value, where it came from and what would have been accepted,
// so a user can fix their workflow or `.github/pilot.yml` without reading Pilot's source.

export interface ConfigProblem {
  /** Setting path, kebab-case, dotted for nested file keys (`triage.simple.max-turns`). */
  key: string;
  /** `input max-turns` or `.github/pilot.yml line 3`. */
  where: string;
  message: string;
  /** The file and line the problem is in, when it is in a file: the error annotation points there. */
  file?: string;
  line?: number;
}

export class ConfigError extends Error {
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    super(formatProblems(problems));
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

function formatProblems(problems: readonly ConfigProblem[]): string {
  if (problems.length === 1) return problems[0].message;
  return [
    `${problems.length} problems in Pilot's configuration:`,
    ...problems.map((p) => `- ${p.message}`),
  ].join('\n');
}

const MAX_SHOWN = 80;

/** The value as the message quotes it: JSON, shortened, and never for a secret. */
export function showValue(value: unknown, secret = false): string {
  if (secret) return '(value hidden)';
  const text = value === undefined ? 'nothing' : JSON.stringify(value);
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN - 1)}…` : text;
}

export function fileWhere(path: string, line: number | undefined): string {
  return line === undefined ? path : `${path} line ${line}`;
}

export function invalidValue(
  key: string,
  value: unknown,
  where: string,
  accepted: string,
  secret = false,
): ConfigProblem {
  return {
    key,
    where,
    message: `${key}: ${showValue(value, secret)} is not valid (${where}): expected ${accepted}`,
  };
}

export function unknownKey(
  key: string,
  parent: string,
  file: string,
  line: number | undefined,
  known: readonly string[],
): ConfigProblem {
  const inside = parent ? ` under '${parent}'` : '';
  const at = line === undefined ? file : `${file} line ${line}`;
  const suggestion = closest(key, known);
  const hint = suggestion ? `; did you mean '${suggestion}'?` : `; expected one of: ${known.join(', ')}`;
  const full = parent ? `${parent}.${key}` : key;
  return {
    key: full,
    where: fileWhere(file, line),
    message: `unknown key '${key}'${inside} in ${at}${hint}`,
  };
}

export function secretInFile(key: string, file: string, line: number | undefined): ConfigProblem {
  const where = fileWhere(file, line);
  return {
    key,
    where,
    message:
      `${key}: (value hidden) is not valid (${where}): secrets belong in Actions secrets, not in a committed file; ` +
      `expected the input instead, e.g. "${key}: \${{ secrets.${key.toUpperCase().replaceAll('-', '_')} }}" in the workflow ` +
      '(and rotate the value that was committed)',
  };
}

/** The known key nearest to a typo (`max_turn` → `max-turns`), when one is near enough to be a good guess. */
export function closest(key: string, known: readonly string[]): string | undefined {
  const wanted = key.toLowerCase().replaceAll('_', '-');
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of known) {
    // A shortened key (`max-cost` for `max-cost-usd`) is as good a guess as a one-letter typo.
    const shortened = wanted.length >= 4 && candidate.startsWith(wanted);
    const d = shortened ? 1 : distance(wanted, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  const limit = Math.max(2, Math.floor(wanted.length / 3));
  return bestDistance <= limit ? best : undefined;
}

/** Levenshtein edit distance. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
    }
    previous = current;
  }
  return previous[b.length];
}
