// Checks of `with:` blocks against declared inputs: action.yml for action steps, `workflow_call` for
// callers of the reusable workflow.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { SETTINGS } from '../../src/config/schema.js';
import { asObj, type Obj, ROOT, workflowCall } from './load.js';

export type Kind = 'string' | 'number' | 'boolean';
type ValueKind = Kind | 'expression';

export interface Declared {
  kind: Kind;
  required: boolean;
}

const ACTION_YML = join(ROOT, 'action.yml');

export function actionMetadata(): { inputs: Record<string, Declared>; outputs: string[] } {
  if (!existsSync(ACTION_YML)) throw new Error('action.yml is missing: the with-checks need the real inputs');
  const doc = asObj(parse(readFileSync(ACTION_YML, 'utf8')));
  const inputs = Object.fromEntries(
    Object.entries(asObj(doc.inputs)).map(([name, raw]) => {
      const spec = asObj(raw);
      return [
        name,
        {
          kind: spec.default === undefined ? kindOfSetting(name) : kindOfDefault(spec.default),
          required: spec.required === true && spec.default === undefined,
        },
      ];
    }),
  );
  return { inputs, outputs: Object.keys(asObj(doc.outputs)) };
}

/** Inputs without a default (max-turns, timeout-minutes) take their kind from Pilot's settings table. */
function kindOfSetting(name: string): Kind {
  const kind = Object.values(SETTINGS).find((s) => s.name === name)?.kind;
  if (kind === 'int' || kind === 'number') return 'number';
  return kind === 'boolean' ? 'boolean' : 'string';
}

/** Action inputs are all strings; a boolean- or number-looking default says what the action parses. */
function kindOfDefault(value: unknown): Kind {
  const text = String(value ?? '');
  if (text === 'true' || text === 'false') return 'boolean';
  if (/^-?\d+(\.\d+)?$/.test(text)) return 'number';
  return 'string';
}

export function reusableInputs(callee: Obj): Record<string, Declared> {
  return Object.fromEntries(
    Object.entries(workflowCall(callee).inputs).map(([name, raw]) => {
      const spec = asObj(raw);
      return [
        name,
        { kind: spec.type as Kind, required: spec.required === true && spec.default === undefined },
      ];
    }),
  );
}

/** The type a `with:` value has, following `${{ inputs.x }}` / `${{ inputs.x || '' }}` to its declaration. */
function kindOfValue(value: unknown, declaredInputs: Record<string, Declared>): ValueKind {
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'number') return 'number';
  const text = String(value);
  if (!text.includes('${{')) return 'string';
  const ref = /^\$\{\{\s*inputs\.([\w-]+)\s*(?:\|\|\s*''\s*)?\}\}$/.exec(text);
  if (ref && declaredInputs[ref[1]]) return declaredInputs[ref[1]].kind;
  return 'expression';
}

/** An action parses its text: a number input takes numbers (or numeric text); booleans likewise. */
function fitsAction(input: Kind, value: unknown, kind: ValueKind): boolean {
  if (input === 'string' || kind === 'expression' || kind === input) return true;
  if (kind !== 'string') return false;
  return input === 'number' ? /^-?\d+(\.\d+)?$/.test(String(value)) : value === 'true' || value === 'false';
}

/** GitHub checks reusable workflow inputs strictly: a literal must have the declared type. */
function fitsReusable(input: Kind, kind: ValueKind): boolean {
  return kind === 'expression' || kind === input;
}

export function checkActionStep(
  withBlock: Obj,
  action: Record<string, Declared>,
  enclosingInputs: Record<string, Declared>,
): string[] {
  const problems: string[] = [];
  for (const [key, value] of Object.entries(withBlock)) {
    const input = action[key];
    if (!input) problems.push(`unknown input ${key}`);
    else if (!fitsAction(input.kind, value, kindOfValue(value, enclosingInputs)))
      problems.push(`${key}: ${JSON.stringify(value)} does not fit a ${input.kind} input`);
  }
  for (const [name, input] of Object.entries(action)) {
    if (input.required && !(name in withBlock)) problems.push(`missing required input ${name}`);
  }
  return problems;
}

export function checkReusableCall(call: Obj, callee: Obj): string[] {
  const inputs = reusableInputs(callee);
  const secrets = workflowCall(callee).secrets;
  const withBlock = asObj(call.with);
  const problems: string[] = [];
  for (const [key, value] of Object.entries(withBlock)) {
    const input = inputs[key];
    if (!input) problems.push(`unknown input ${key}`);
    else if (!fitsReusable(input.kind, kindOfValue(value, {})))
      problems.push(`${key}: ${JSON.stringify(value)} is not a ${input.kind}`);
  }
  for (const [name, input] of Object.entries(inputs)) {
    if (input.required && !(name in withBlock)) problems.push(`missing required input ${name}`);
  }
  const passed = asObj(call.secrets);
  for (const key of Object.keys(passed)) if (!(key in secrets)) problems.push(`unknown secret ${key}`);
  for (const [name, raw] of Object.entries(secrets)) {
    if (asObj(raw).required === true && !(name in passed)) problems.push(`missing required secret ${name}`);
  }
  return problems;
}
