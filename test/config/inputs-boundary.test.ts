// STYLE: inputs are read in one place into one typed object. This keeps the promise checked.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../src', import.meta.url));
const READS_INPUTS = /\b(?:getInput|getBooleanInput|getMultilineInput)\s*\(|env(?:\.|\[['"`])INPUT_/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

it('reads action inputs nowhere but src/config/inputs.ts', () => {
  const readers = sourceFiles(SRC)
    .filter((file) => READS_INPUTS.test(readFileSync(file, 'utf8')))
    .map((file) => relative(SRC, file));
  // The launcher picks the bundle before any of Pilot is loaded: it reads `phase` and nothing else.
  expect(readers).toEqual(['config/inputs.ts', 'launch.ts']);
  expect(readFileSync(join(SRC, 'launch.ts'), 'utf8').match(/INPUT_\w+/g)).toEqual(['INPUT_PHASE']);
});
