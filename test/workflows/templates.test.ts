// Starter templates an organisation copies into its `.github` repository's `workflow-templates/`
// (the only place GitHub lists starter workflows): each needs a `<name>.properties.json` beside it.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ROOT } from './load.js';

const DIR = join(ROOT, 'workflows-templates');

const Properties = z.strictObject({
  name: z.string().min(1),
  description: z.string().min(1),
  iconName: z.string().min(1),
  categories: z.array(z.string().min(1)).min(1),
  filePatterns: z.array(z.string().min(1)).min(1),
});

describe('starter templates', () => {
  const templates = readdirSync(DIR).filter((f) => f.endsWith('.yml'));

  it('ships the caller, the direct form, the sweep and ops mode', () => {
    expect(templates.sort()).toEqual([
      'pilot-ops.yml',
      'pilot-single-job.yml',
      'pilot-sweep.yml',
      'pilot.yml',
    ]);
  });

  it('gives every template a complete properties file with an icon that exists', () => {
    const names = new Set<string>();
    for (const template of templates) {
      const file = join(DIR, template.replace(/\.yml$/, '.properties.json'));
      expect(existsSync(file), file).toBe(true);
      const props = Properties.parse(JSON.parse(readFileSync(file, 'utf8')));
      names.add(props.name);
      if (!props.iconName.startsWith('octicon '))
        expect(existsSync(join(DIR, `${props.iconName}.svg`))).toBe(true);
      for (const pattern of props.filePatterns) expect(() => new RegExp(pattern)).not.toThrow();
    }
    expect(names.size).toBe(templates.length);
  });

  it('has no properties file without its template', () => {
    const orphans = readdirSync(DIR)
      .filter((f) => f.endsWith('.properties.json'))
      .filter((f) => !templates.includes(f.replace(/\.properties\.json$/, '.yml')));
    expect(orphans).toEqual([]);
  });
});
