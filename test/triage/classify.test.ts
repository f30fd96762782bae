import { describe, expect, it } from 'vitest';
import { classify, levelFromLabels } from '../../src/triage/classify.js';
import { distinctPaths } from '../../src/triage/signals.js';

const longFeature = [
  '## Plan',
  ...Array.from({ length: 6 }, (_, i) => `- [ ] part ${i} in \`src/feature/part${i}.ts\``),
  'We need to refactor the storage layer and migrate existing data while keeping old clients working.',
].join('\n');

describe('classify', () => {
  it('calls a one-line typo fix trivial and says why', () => {
    const r = classify({ title: 'Typo in README', body: 'It says "teh" instead of "the".', labels: [] });
    expect(r.level).toBe('trivial');
    expect(r.reason).toContain('typo');
    expect(r.signals.cosmeticTerms).toBe('typo');
  });

  it('lets a size label decide over the text', () => {
    expect(classify({ title: 'Typo', body: 'teh → the', labels: ['size/xl'] }).level).toBe('epic');
    expect(classify({ title: 'Refactor', body: longFeature, labels: ['size/xs'] }).level).toBe('trivial');
    expect(classify({ title: 'x', body: 'y', labels: ['bug', 'Epic'] })).toMatchObject({
      level: 'epic',
      reason: 'label Epic',
    });
  });

  it('takes the largest size when an issue carries two size labels', () => {
    expect(levelFromLabels(['size/s', 'size: l'])).toEqual({ level: 'complex', label: 'size: l' });
    expect(levelFromLabels(['sizeable', 'size/xxl', 'bug'])).toBeUndefined();
  });

  it('keeps a large single change at complex unless it is planned as several deliverables', () => {
    const single = classify({ title: 'Refactor the storage layer', body: longFeature, labels: [] });
    expect(single.level).toBe('complex');
    const planned = classify({
      title: 'Refactor the storage layer',
      body: `${longFeature}\nThis is an epic; each milestone becomes a sub-issue.`,
      labels: [],
    });
    expect(planned.level).toBe('epic');
  });

  it('does not count paths inside stack traces as files to change, and calls a crash at least simple', () => {
    const body = [
      'Crash on save:',
      '```',
      'TypeError: x is undefined',
      '    at save (src/a.ts:1:1)',
      '    at run (src/b.ts:2:2)',
      '    at main (src/c.ts:3:3)',
      '```',
    ].join('\n');
    const r = classify({ title: 'Crash on save', body, labels: [] });
    expect(r.signals).toMatchObject({ files: 0, codeBlocks: 1, stackTrace: true });
    expect(r.level).toBe('simple');
  });

  it('is deterministic', () => {
    const issue = { title: 'Refactor the storage layer', body: longFeature, labels: ['bug'] };
    expect(classify(issue)).toEqual(classify(issue));
  });
});

describe('distinctPaths', () => {
  it('finds file paths and names with source extensions, once each, but not URLs or versions', () => {
    const text =
      'See src/app/main.ts and `src/app/main.ts`, README.md, package.json and https://example.org/docs/a.md; lodash 4.17.21; and/or 3/4.';
    expect(distinctPaths(text).sort()).toEqual(['README.md', 'package.json', 'src/app/main.ts']);
  });
});
