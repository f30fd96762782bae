// The effective configuration as users write it (kebab-case names, plain values), for `/pilot help` and
// the job summary. Secrets are reduced to "set" / "not set": this text is posted to the issue.

import type { Config, EnvironmentSpec } from './schema.js';
import { SETTINGS, type Setting, type SettingKey, type SettingSource, TRIAGE_LEVELS } from './schema.js';

export interface ConfigLine {
  name: string;
  value: string;
  /** input, file or default; undefined for values assembled from several (runners, triage). */
  source?: SettingSource;
}

const HIDDEN_FROM_SUMMARY = new Set<SettingKey>(['runnersDefault', 'runnersLong']);
/** Settings whose absence means "triage decides", which is worth saying instead of "(not set)". */
const TRIAGED = new Set<SettingKey>(['maxTurns', 'timeoutMinutes']);

export function describeConfig(config: Config): ConfigLine[] {
  const lines: ConfigLine[] = [];
  for (const [key, spec] of Object.entries(SETTINGS) as [SettingKey, Setting][]) {
    if (HIDDEN_FROM_SUMMARY.has(key)) continue;
    const value = (config as unknown as Record<string, unknown>)[key];
    const source = config.sources?.[key];
    if (value === undefined && TRIAGED.has(key))
      lines.push({ name: spec.name, value: '(by triage, per size)', source });
    else
      lines.push({ name: spec.name, value: spec.secret ? (value ? 'set' : 'not set') : show(value), source });
  }
  lines.push({ name: 'runners.default', value: show(config.runners.default) });
  lines.push({
    name: 'runners.long',
    value: config.runners.long ? show(config.runners.long) : '(not set: every task runs on runners.default)',
  });
  lines.push({ name: 'gates', value: gatesShown(config) });
  const envs = config.environments ?? [];
  if (envs.length > 0) lines.push({ name: 'environments', value: envs.map(environmentShown).join('; ') });
  for (const level of TRIAGE_LEVELS) {
    const overrides = Object.entries(config.triage[level]);
    if (overrides.length > 0) lines.push({ name: `triage.${level}`, value: show(config.triage[level]) });
  }
  return lines;
}

/** `auto`, the gates' names and commands, or none. */
function gatesShown(config: Config): string {
  const { gates } = config;
  if (gates === 'auto') return 'auto (detected from the repository)';
  if (!gates?.length) return '(none)';
  return gates.map((g) => `${g.name}: ${g.run}${g.required ? '' : ' (optional)'}`).join('; ');
}

/** `prod: autopilot merge, approval by pilot-prod's reviewers, branch main`. */
function environmentShown(env: EnvironmentSpec): string {
  const parts = [`autopilot ${env.autopilot ?? '(the repository’s)'}`];
  if (env.requireApproval) parts.push(`approval by pilot-${env.name}'s reviewers`);
  if (env.branch) parts.push(`branch ${env.branch}`);
  return `${env.name}: ${parts.join(', ')}`;
}

function show(value: unknown): string {
  if (value === undefined || value === '') return '(not set)';
  if (Array.isArray(value)) return value.length === 0 ? '(none)' : value.join(', ');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Markdown rows for `/pilot help`: code spans cannot be closed early, cells cannot be split. */
export function configTable(config: Config): string {
  const cell = (text: string) => text.replace(/[`|\r\n]/g, ' ').slice(0, 200);
  const from = config.configFile ? `file (${cell(config.configFile)})` : 'file';
  const rows = describeConfig(config).map(
    (line) =>
      `| \`${cell(line.name)}\` | \`${cell(line.value)}\` | ${line.source === 'file' ? from : (line.source ?? '')} |`,
  );
  return ['| setting | effective value | from |', '| --- | --- | --- |', ...rows].join('\n');
}
