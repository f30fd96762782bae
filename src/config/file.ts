// `.github/pilot.yml`: parsed with `yaml` keeping line positions, so every error can name its line.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type Document, isMap, isNode, isScalar, isSeq, LineCounter, type Pair, parseDocument } from 'yaml';
import {
  ConfigError,
  type ConfigProblem,
  fileWhere,
  invalidValue,
  secretInFile,
  showValue,
  unknownKey,
} from './errors.js';
import {
  ENVIRONMENT_FIELDS,
  ENVIRONMENT_NAME,
  ENVIRONMENTS_ACCEPTED,
  type EnvironmentSpec,
  GATE_DEFAULT_TIMEOUT_MINUTES,
  GATE_FIELDS,
  GATES_ACCEPTED,
  type GateSpec,
  type Gates,
  RUNNERS_ACCEPTED,
  runnerLabelsSchema,
  SETTINGS,
  type Setting,
  type SettingKey,
  type Settings,
  TRIAGE_FIELDS,
  TRIAGE_LEVELS,
  type TriageLevel,
  type TriageLevelConfig,
} from './schema.js';
import { check, fromFileValue } from './values.js';

export interface FileReading {
  /** Only the settings the file sets. */
  values: Partial<Settings>;
  runners: { default?: string[]; long?: string[] };
  triage: Partial<Record<TriageLevel, TriageLevelConfig>>;
  /** `gates:`, when the file sets it. */
  gates?: Gates;
  /** `environments:`, when the file sets it. */
  environments?: EnvironmentSpec[];
  problems: ConfigProblem[];
}

const SPEC_BY_NAME = new Map(
  (Object.entries(SETTINGS) as [SettingKey, Setting][]).map(([key, spec]) => [spec.name, { key, spec }]),
);
const SECTIONS = ['runners', 'triage', 'pr', 'gates', 'environments'] as const;
/** Keys the file may hold (secrets and per-step inputs are left out so typos are not steered to them). */
export const FILE_KEYS: readonly string[] = [
  ...[...SPEC_BY_NAME.values()]
    .filter(({ spec }) => !spec.secret && !spec.inputOnly)
    .map(({ spec }) => spec.name),
  ...SECTIONS,
];
/** Secrets and per-step inputs are recognised (to explain why they do not belong here), not suggested. */
const ALL_TOP_KEYS: readonly string[] = [...SPEC_BY_NAME.keys(), ...SECTIONS];
const EXAMPLE = 'a YAML mapping of settings such as "max-turns: 40"';

/** Reads the file, or returns undefined when it does not exist (defaults then apply). */
export function readConfigFile(workspace: string, configPath: string): FileReading | undefined {
  let text: string;
  try {
    text = readFileSync(resolve(workspace, configPath), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    const problem = invalidValue(
      'config-path',
      configPath,
      'input config-path',
      `a readable YAML file (${code})`,
    );
    throw new ConfigError([problem]);
  }
  return parseConfigText(text, configPath);
}

/** Parses and validates the text of a config file; `file` is the path errors show. */
export function parseConfigText(text: string, file: string): FileReading {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  const reader = new FileReader(doc, lines, file, text);
  if (doc.errors.length > 0) reader.yamlErrors();
  else reader.top();
  return reader.result;
}

type Visit = (name: string, pair: Pair, line: number | undefined) => void;

class FileReader {
  readonly result: FileReading = { values: {}, runners: {}, triage: {}, problems: [] };
  /** Which file key set each setting, so `draft-pr` and `pr.draft` cannot silently disagree. */
  private readonly setBy = new Map<SettingKey, string>();

  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
    private readonly file: string,
    private readonly text: string,
  ) {}

  yamlErrors(): void {
    for (const error of this.doc.errors) {
      const line = this.nonBlankLine(error.linePos?.[0]?.line);
      const source = line === undefined ? '' : ` ${JSON.stringify(this.sourceLines[line - 1])}`;
      const reason = error.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
      const where = fileWhere(this.file, line);
      this.problem({
        key: '(yaml)',
        where,
        message: `${where}: not valid YAML${source} (${reason}): expected ${EXAMPLE}`,
      });
    }
  }

  private get sourceLines(): string[] {
    return this.text.split(/\r?\n/);
  }

  /** Parsers often notice an unclosed bracket at the end of the file: point at the last line with text. */
  private nonBlankLine(line: number | undefined): number | undefined {
    if (line === undefined) return undefined;
    const lines = this.sourceLines;
    let at = Math.min(line, lines.length);
    while (at > 1 && (lines[at - 1] ?? '').trim() === '') at--;
    return at;
  }

  top(): void {
    const root = this.doc.contents;
    if (root === null || (isScalar(root) && root.value === null)) return; // empty file: all defaults
    this.entries(
      root,
      '',
      ALL_TOP_KEYS,
      EXAMPLE,
      (name, pair, line) => this.topEntry(name, pair, line),
      FILE_KEYS,
    );
  }

  private topEntry(name: string, pair: Pair, line: number | undefined): void {
    const known = SPEC_BY_NAME.get(name);
    if (known?.spec.secret) {
      this.problem(secretInFile(name, this.file, line));
    } else if (known?.spec.inputOnly) {
      const accepted = known.spec.fileEquivalent
        ? `${known.spec.fileEquivalent} in the file (${name} is an input of the step)`
        : `it as an input of the step ("with: ${name}: …"); the file cannot set it`;
      this.problem(invalidValue(name, this.value(pair.value), this.where(line), accepted));
    } else if (known) {
      this.setting(known.key, known.spec, name, pair.value);
    } else if (name === 'runners') {
      this.runners(pair.value);
    } else if (name === 'triage') {
      this.triage(pair.value);
    } else if (name === 'gates') {
      this.gates(pair.value);
    } else if (name === 'environments') {
      this.environments(pair.value);
    } else {
      this.pr(pair.value);
    }
  }

  private runners(node: unknown): void {
    const accepted = `a mapping with default and/or long, each ${RUNNERS_ACCEPTED}`;
    this.entries(node, 'runners', ['default', 'long'], accepted, (name, pair) => {
      const value = this.value(pair.value);
      const parsed = runnerLabelsSchema.safeParse(value);
      if (parsed.success) {
        this.result.runners[name as 'default' | 'long'] =
          typeof parsed.data === 'string' ? [parsed.data] : parsed.data;
      } else {
        this.problem(invalidValue(`runners.${name}`, value, this.whereOf(pair.value), RUNNERS_ACCEPTED));
      }
    });
  }

  private triage(node: unknown): void {
    const accepted = `a mapping of levels (${TRIAGE_LEVELS.join(', ')}) to model, max-turns, timeout-minutes, runner`;
    this.entries(node, 'triage', TRIAGE_LEVELS, accepted, (level, pair) =>
      this.triageLevel(level as TriageLevel, pair),
    );
  }

  private triageLevel(level: TriageLevel, pair: Pair): void {
    const fields = Object.entries(TRIAGE_FIELDS) as [keyof TriageLevelConfig, Setting][];
    const names = fields.map(([, spec]) => spec.name);
    const path = `triage.${level}`;
    const entry: TriageLevelConfig = {};
    this.entries(pair.value, path, names, `a mapping of ${names.join(', ')}`, (name, fieldPair) => {
      const [field, spec] = fields.find(([, s]) => s.name === name) as [keyof TriageLevelConfig, Setting];
      const value = this.checked(spec, `${path}.${name}`, fieldPair.value);
      if (value.ok) Object.assign(entry, { [field]: value.value });
    });
    this.result.triage[level] = entry;
  }

  /** `gates: auto`, or a list of `{name, run, timeout-minutes, required}`; each error names its line. */
  private gates(node: unknown): void {
    if (isScalar(node) && node.value === 'auto') {
      this.result.gates = 'auto';
      return;
    }
    if (!isSeq(node) && !(isScalar(node) && node.value === null)) {
      this.problem(invalidValue('gates', this.value(node), this.whereOf(node), GATES_ACCEPTED));
      return;
    }
    const gates: GateSpec[] = [];
    const items = isSeq(node) ? node.items : [];
    items.forEach((item, index) => {
      const gate = this.gate(item, `gates[${index}]`);
      if (!gate) return;
      if (gates.some((g) => g.name === gate.name)) {
        const accepted = 'a gate name used once (the PR lists gates by name)';
        this.problem(invalidValue(`gates[${index}].name`, gate.name, this.whereOf(item), accepted));
      } else gates.push(gate);
    });
    this.result.gates = gates;
  }

  private gate(item: unknown, path: string): GateSpec | undefined {
    const fields = Object.keys(GATE_FIELDS) as (keyof typeof GATE_FIELDS)[];
    if (!isMap(item)) {
      this.problem(invalidValue(path, this.value(item), this.whereOf(item), GATES_ACCEPTED));
      return undefined;
    }
    const got: Record<string, unknown> = {};
    let ok = true;
    this.entries(item, path, fields, GATES_ACCEPTED, (name, pair) => {
      const field = GATE_FIELDS[name as keyof typeof GATE_FIELDS];
      const parsed = field.schema.safeParse(this.value(pair.value));
      if (parsed.success) got[name] = parsed.data;
      else {
        ok = false;
        this.problem(
          invalidValue(`${path}.${name}`, this.value(pair.value), this.whereOf(pair.value), field.accepted),
        );
      }
    });
    for (const needed of ['name', 'run'] as const)
      if (!(needed in got) && ok) {
        ok = false;
        this.problem(
          invalidValue(`${path}.${needed}`, undefined, this.whereOf(item), GATE_FIELDS[needed].accepted),
        );
      }
    if (!ok) return undefined;
    return {
      name: got.name as string,
      run: got.run as string,
      timeoutMinutes: (got['timeout-minutes'] as number | undefined) ?? GATE_DEFAULT_TIMEOUT_MINUTES,
      required: (got.required as boolean | undefined) ?? true,
    };
  }

  /** `environments: {prod: {autopilot: merge, require-approval: true}}`; each error names its line. */
  private environments(node: unknown): void {
    const out: EnvironmentSpec[] = [];
    if (!isMap(node)) {
      this.problem(invalidValue('environments', this.value(node), this.whereOf(node), ENVIRONMENTS_ACCEPTED));
      return;
    }
    for (const pair of node.items) {
      const name = isScalar(pair.key) ? String(pair.key.value) : showValue(this.value(pair.key));
      if (!ENVIRONMENT_NAME.test(name)) {
        const accepted = 'an environment name of letters, digits, -, _ and . (Pilot binds pilot-<name>)';
        this.problem(invalidValue('environments', name, this.whereOf(pair.key), accepted));
        continue;
      }
      const env = this.environment(name, pair.value);
      if (env) out.push(env);
    }
    this.result.environments = out;
  }

  private environment(name: string, node: unknown): EnvironmentSpec | undefined {
    const path = `environments.${name}`;
    const fields = Object.keys(ENVIRONMENT_FIELDS) as (keyof typeof ENVIRONMENT_FIELDS)[];
    const got: Record<string, unknown> = {};
    let ok = true;
    this.entries(node, path, fields, ENVIRONMENTS_ACCEPTED, (field, pair) => {
      const spec = ENVIRONMENT_FIELDS[field as keyof typeof ENVIRONMENT_FIELDS];
      const parsed = spec.schema.safeParse(this.value(pair.value));
      if (parsed.success) got[field] = parsed.data;
      else {
        ok = false;
        const where = this.whereOf(pair.value);
        this.problem(invalidValue(`${path}.${field}`, this.value(pair.value), where, spec.accepted));
      }
    });
    if (!ok) return undefined;
    return {
      name,
      autopilot: got.autopilot as EnvironmentSpec['autopilot'],
      requireApproval: (got['require-approval'] as boolean | undefined) ?? false,
      branch: got.branch as string | undefined,
    };
  }

  private pr(node: unknown): void {
    const parts = { draft: SETTINGS.draftPr, labels: SETTINGS.prLabels } as const;
    const keys = { draft: 'draftPr', labels: 'prLabels' } as const;
    this.entries(
      node,
      'pr',
      ['draft', 'labels'],
      'a mapping with draft (true or false) and labels',
      (name, pair) => {
        const part = name as keyof typeof parts;
        this.setting(keys[part], parts[part], `pr.${name}`, pair.value);
      },
    );
  }

  /** Checks one setting's value and records it, refusing a second key for the same setting. */
  private setting(key: SettingKey, spec: Setting, path: string, node: unknown): void {
    const earlier = this.setBy.get(key);
    if (earlier !== undefined) {
      const accepted = `the setting only once; ${earlier} already sets it`;
      this.problem(invalidValue(path, this.value(node), this.whereOf(node), accepted));
      return;
    }
    this.setBy.set(key, path);
    const value = this.checked(spec, path, node);
    if (value.ok) (this.result.values as Record<string, unknown>)[key] = value.value;
  }

  private checked(spec: Setting, path: string, node: unknown): { ok: boolean; value?: unknown } {
    const result = check(spec, fromFileValue(spec, this.value(node)));
    if (result.ok) return result;
    const item = result.index !== undefined && isSeq(node) ? node.items[result.index] : node;
    this.problem(invalidValue(path, result.bad, this.whereOf(item ?? node), spec.accepted));
    return { ok: false };
  }

  /** Walks a mapping's keys, reporting a non-mapping value and unknown keys (with a did-you-mean). */
  private entries(
    node: unknown,
    path: string,
    known: readonly string[],
    accepted: string,
    visit: Visit,
    suggest: readonly string[] = known,
  ): void {
    if (!isMap(node)) {
      const key = path || '(file)';
      this.problem(invalidValue(key, this.value(node), this.whereOf(node), accepted));
      return;
    }
    for (const pair of node.items) {
      const line = this.lineOf(pair.key);
      const name = isScalar(pair.key) ? String(pair.key.value) : showValue(this.value(pair.key));
      if (known.includes(name)) visit(name, pair, line);
      else this.problem(unknownKey(name, path, this.file, line, suggest));
    }
  }

  private value(node: unknown): unknown {
    return isNode(node) ? node.toJS(this.doc) : (node ?? null);
  }

  private lineOf(node: unknown): number | undefined {
    if (!isNode(node) || !node.range) return undefined;
    return this.lines.linePos(node.range[0]).line;
  }

  private whereOf(node: unknown): string {
    return this.where(this.lineOf(node));
  }

  private where(line: number | undefined): string {
    return fileWhere(this.file, line);
  }

  /** Every file problem passes here; `where` was built by fileWhere(this.file, line), so the line is in it. */
  private problem(problem: ConfigProblem): void {
    const line = /^.* line (\d+)$/.exec(problem.where)?.[1];
    this.result.problems.push({ ...problem, file: this.file, line: line ? Number(line) : undefined });
  }
}
