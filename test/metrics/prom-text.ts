// A small strict parser of the Prometheus text exposition format 0.0.4
// (https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format), for the .prom file:
// prom-client writes the format but has no parser. It refuses what Prometheus would refuse: a bad
// metric or label name, a bad escape, a value that is not a float, a sample before or outside its
// family's TYPE, a TYPE given twice, the same series twice.

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  type: string;
  help?: string;
  samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const SUFFIXES: Record<string, string[]> = {
  histogram: ['_bucket', '_sum', '_count'],
  summary: ['', '_sum', '_count'],
};

function parseValue(text: string, where: string): number {
  if (text === '+Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  if (text === 'NaN') return Number.NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) throw new Error(`${where}: bad value "${text}"`);
  return Number(text);
}

/** `{a="x",b="y\"z"}` → labels and the rest of the line. */
function parseLabels(text: string, where: string): { labels: Record<string, string>; rest: string } {
  const labels: Record<string, string> = {};
  let i = 1;
  while (text[i] !== '}') {
    const eq = text.indexOf('=', i);
    const name = text.slice(i, eq);
    if (eq < 0 || !LABEL.test(name)) throw new Error(`${where}: bad label name "${name}"`);
    if (name in labels) throw new Error(`${where}: label ${name} twice`);
    if (text[eq + 1] !== '"') throw new Error(`${where}: label value not quoted`);
    let value = '';
    let j = eq + 2;
    for (; j < text.length && text[j] !== '"'; j++) {
      if (text[j] !== '\\') {
        value += text[j];
        continue;
      }
      const next = text[++j];
      if (next === 'n') value += '\n';
      else if (next === '\\' || next === '"') value += next;
      else throw new Error(`${where}: bad escape \\${next}`);
    }
    if (j >= text.length) throw new Error(`${where}: unterminated label value`);
    labels[name] = value;
    i = j + 1;
    if (text[i] === ',') i++;
    else if (text[i] !== '}') throw new Error(`${where}: expected , or } after label ${name}`);
  }
  return { labels, rest: text.slice(i + 1) };
}

function familyOf(families: Map<string, Family>, typed: Set<string>, sample: string, where: string): Family {
  for (const family of families.values()) {
    if (!typed.has(family.name)) continue;
    const suffixes = SUFFIXES[family.type] ?? [''];
    if (suffixes.some((s) => sample === family.name + s)) return family;
  }
  throw new Error(`${where}: sample ${sample} has no TYPE line before it`);
}

function parseSample(line: string, where: string): Sample {
  const nameEnd = line.search(/[{ ]/);
  const name = nameEnd < 0 ? line : line.slice(0, nameEnd);
  if (!NAME.test(name)) throw new Error(`${where}: bad metric name "${name}"`);
  let rest = line.slice(name.length);
  let labels: Record<string, string> = {};
  if (rest.startsWith('{')) ({ labels, rest } = parseLabels(rest, where));
  const parts = rest.trim().split(/ +/);
  if (parts.length < 1 || parts.length > 2 || parts[0] === '') throw new Error(`${where}: expected a value`);
  if (parts[1] !== undefined && !/^-?\d+$/.test(parts[1])) throw new Error(`${where}: bad timestamp`);
  return { name, labels, value: parseValue(parts[0], where) };
}

export function parsePromText(text: string): Map<string, Family> {
  if (!text.endsWith('\n')) throw new Error('the exposition must end with a line feed');
  const families = new Map<string, Family>();
  const seen = new Set<string>();
  const typed = new Set<string>();
  text.split('\n').forEach((line, n) => {
    const where = `line ${n + 1}`;
    if (line.trim() === '') return;
    const meta = /^# (HELP|TYPE) (\S+)(?: (.*))?$/.exec(line);
    if (meta) {
      const [, kind, name, rest = ''] = meta;
      if (!NAME.test(name)) throw new Error(`${where}: bad metric name "${name}"`);
      const family = families.get(name) ?? { name, type: 'untyped', samples: [] };
      if (kind === 'TYPE') {
        if (!TYPES.has(rest) || typed.has(name) || family.samples.length)
          throw new Error(`${where}: bad, repeated or late TYPE "${rest}"`);
        typed.add(name);
        family.type = rest;
      } else family.help = rest;
      families.set(name, family);
      return;
    }
    if (line.startsWith('#')) return;
    const sample = parseSample(line, where);
    const series = `${sample.name}${JSON.stringify(Object.entries(sample.labels).sort())}`;
    if (seen.has(series)) throw new Error(`${where}: series ${series} twice`);
    seen.add(series);
    familyOf(families, typed, sample.name, where).samples.push(sample);
  });
  return families;
}

/** The value of one series, or undefined when it is absent. */
export function seriesValue(
  families: Map<string, Family>,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  for (const family of families.values()) {
    const hit = family.samples.find(
      (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
    );
    if (hit) return hit.value;
  }
  return undefined;
}
