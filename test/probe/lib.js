// File commands written by hand (no @actions/core): the probe must depend on node built-ins only.
import { randomUUID } from 'node:crypto';
import { appendFileSync } from 'node:fs';

export function input(name) {
  return process.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '';
}

function fileCommand(fileVar, name, value) {
  const file = process.env[fileVar];
  if (!file) throw new Error(`${fileVar} is not set`);
  const text = String(value);
  if (text.includes('\n')) {
    const delimiter = `ghadelimiter_${randomUUID()}`;
    appendFileSync(file, `${name}<<${delimiter}\n${text}\n${delimiter}\n`);
  } else {
    appendFileSync(file, `${name}=${text}\n`);
  }
}

export const setOutput = (name, value) => fileCommand('GITHUB_OUTPUT', name, value);
export const saveState = (name, value) => fileCommand('GITHUB_STATE', name, value);
export const exportVariable = (name, value) => fileCommand('GITHUB_ENV', name, value);
export const summary = (markdown) => appendFileSync(process.env.GITHUB_STEP_SUMMARY, `${markdown}\n`);
