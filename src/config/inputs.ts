// The only module in Pilot that reads action inputs (checkout's input-helper does the same job).
import * as core from '@actions/core';
import { registerSecret } from '../secrets.js';
import { type ConfigProblem, invalidValue } from './errors.js';
import { SETTINGS, type Setting, type SettingKey, type Settings, shownDefault } from './schema.js';
import { check, fromInputText } from './values.js';

const ENTRIES = Object.entries(SETTINGS) as [SettingKey, Setting][];

/** Every input Pilot reads, in action.yml order; action.yml and the README are tested against it. */
export const INPUT_NAMES: readonly string[] = ENTRIES.map(([, spec]) => spec.name);

/** Each input's default as action.yml and the README show it ('' when it has none). */
export const INPUT_DEFAULTS: Readonly<Record<string, string>> = Object.fromEntries(
  ENTRIES.map(([, spec]) => [spec.name, shownDefault(spec)]),
);

export interface InputReading {
  /** Only the inputs the user set: absent keys fall through to the file, then to defaults. */
  values: Partial<Settings>;
  problems: ConfigProblem[];
}

/** The secret values among the settings (those the schema marks `secret`): the one list Pilot redacts. */
export function secretValues(values: Partial<Record<SettingKey, unknown>>): Array<string | undefined> {
  return ENTRIES.filter(([, spec]) => spec.secret).map(([key]) => values[key] as string | undefined);
}

export function readInputs(): InputReading {
  const values: Record<string, unknown> = {};
  const problems: ConfigProblem[] = [];
  for (const [key, spec] of ENTRIES) {
    const raw = core.getInput(spec.name);
    if (raw === '') continue;
    if (spec.secret) registerSecret(raw);
    // The runner fills every input that has a default in action.yml, so an input equal to its default
    // says nothing about the user's wishes and must not override `.github/pilot.yml`.
    if (raw === shownDefault(spec)) continue;
    const checked = check(
      spec,
      spec.kind === 'boolean' ? readBoolean(spec.name, raw) : fromInputText(spec, raw),
    );
    if (checked.ok) values[key] = checked.value;
    else
      problems.push(invalidValue(spec.name, checked.bad, `input ${spec.name}`, spec.accepted, spec.secret));
  }
  return { values: values as Partial<Settings>, problems };
}

/** getBooleanInput accepts exactly the YAML 1.2 core booleans; anything else stays text so the error quotes it. */
function readBoolean(name: string, raw: string): boolean | string {
  try {
    return core.getBooleanInput(name);
  } catch {
    return raw;
  }
}
