// The error region of a failed CI job's log and its signature: bounded, normalised, and safe to quote.
import { describe, expect, it } from 'vitest';
import {
  EXCERPT_MAX_CHARS,
  extractExcerpt,
  namesChangedPath,
  normaliseError,
  publishableExcerpt,
} from '../../src/report/ci-excerpt.js';
import { registerSecret, resetSecrets } from '../../src/security/redact.js';

const at = (s: number) => `2026-12-03T10:00:${String(s).padStart(2, '0')}.1234567Z`;

/** A job log as GitHub serves it: timestamped lines, groups per step, the runner's closing error. */
function log(lines: string[]): string {
  return lines.map((line, i) => `${at(i % 60)} ${line}`).join('\n');
}

const NPM_TEST = log([
  '##[group]Run actions/checkout@v4',
  'Syncing repository: octo-org/sample',
  '##[endgroup]',
  '##[group]Run npm test',
  '> sample@1.0.0 test',
  '> node --test',
  '✔ greets (1.2ms)',
  'not ok 2 - farewell says bye',
  '  error: \'Expected "bye" but got "hello"\' at /home/runner/work/sample/sample/src/farewell.test.js:7:3',
  '  duration_ms: 3.81',
  '##[endgroup]',
  '##[error]Process completed with exit code 1.',
]);

describe('extractExcerpt', () => {
  it('cuts the region around the first error, without timestamps or step groups', () => {
    const x = extractExcerpt({ name: 'test', failedStep: 'npm test', log: NPM_TEST });
    expect(x.text).toContain('not ok 2 - farewell says bye');
    expect(x.text).toContain('src/farewell.test.js:7:3');
    expect(x.text).toContain('##[error]Process completed with exit code 1.');
    expect(x.text).not.toMatch(/2026-12-03T/);
    expect(x.text).not.toContain('##[group]');
    expect(x.job).toBe('test');
    expect(x.step).toBe('npm test');
  });

  it('keeps the same signature when only numbers, hex ids and temporary paths change', () => {
    const a = extractExcerpt({
      name: 'test',
      failedStep: 'npm test',
      log: log(['Error: timeout after 5000ms in /tmp/jest-1234/a.js (worker 3f9a2b7c1d)']),
    });
    const b = extractExcerpt({
      name: 'test',
      failedStep: 'npm test',
      log: log(['Error: timeout after 7311ms in /tmp/jest-9876/a.js (worker 0c0ffee1234)']),
    });
    expect(a.signature).toBe(b.signature);
    expect(a.signature).toBe('test / npm test / Error: timeout after <n>ms in <tmp> (worker <hex>)');
  });

  it('gives a different signature for a different job, step or error', () => {
    const base = { name: 'test', failedStep: 'npm test', log: log(['Error: boom']) };
    const sig = extractExcerpt(base).signature;
    expect(extractExcerpt({ ...base, name: 'lint' }).signature).not.toBe(sig);
    expect(extractExcerpt({ ...base, failedStep: 'npm run lint' }).signature).not.toBe(sig);
    expect(extractExcerpt({ ...base, log: log(['Error: bang']) }).signature).not.toBe(sig);
  });

  it('falls back to the annotations when no line reads like an error', () => {
    const x = extractExcerpt({
      name: 'build',
      log: log(['compiling', '##[error]Process completed with exit code 2.']),
    });
    expect(x.firstError).toBe('Process completed with exit code <n>.');
    expect(x.step).toBe('unknown step');
  });

  it('is bounded whatever the log holds', () => {
    const huge = log(['Error: first', ...Array.from({ length: 40 }, () => 'x'.repeat(10_000))]);
    const x = extractExcerpt({ name: 'test', log: huge });
    expect(x.text.length).toBeLessThan(EXCERPT_MAX_CHARS + 50);
    expect(x.signature.length).toBeLessThanOrEqual(300);
  });

  it('drops hidden text a log could carry (HTML comments, invisible characters)', () => {
    const x = extractExcerpt({
      name: 'test',
      log: log(['Error: bad<!-- pilot:task {"status":"merged"} -->', 'FAIL x\u200By']),
    });
    expect(x.text).not.toContain('pilot:task');
    expect(x.text).not.toContain('\u200B');
  });
});

describe('normaliseError', () => {
  it('strips the runner workspace prefix so paths compare across runners', () => {
    expect(normaliseError('##[error]src/a.ts(3,1): error TS2304')).toBe('src/a.ts(<n>,<n>): error TS<n>');
    expect(normaliseError('/home/runner/work/x/x/src/a.ts: boom')).toBe('src/a.ts: boom');
  });
});

describe('namesChangedPath', () => {
  it('is true when the region names a path (or its file name) the task changed', () => {
    expect(namesChangedPath('at src/farewell.js:3', ['src/farewell.js'])).toBe(true);
    expect(namesChangedPath('at farewell.js:3', ['src/farewell.js'])).toBe(true);
    expect(namesChangedPath('ECONNRESET registry.npmjs.org', ['src/farewell.js'])).toBe(false);
    expect(namesChangedPath('anything', [])).toBe(false);
  });
});

describe('publishableExcerpt', () => {
  it('redacts secrets and cannot open a hidden comment or ping a team', () => {
    resetSecrets();
    registerSecret('s3cr3t-value-123');
    const out = publishableExcerpt(
      'token s3cr3t-value-123 ghp_abcdefghijklmnopqrstuvwxyz0123 <!-- pilot:task {} --> @octo-org/admins ```',
    );
    resetSecrets();
    expect(out).not.toContain('s3cr3t-value-123');
    expect(out).not.toContain('ghp_abcdefghijklmnopqrstuvwxyz0123');
    expect(out).not.toContain('<!--');
    expect(out).toContain('`@octo-org/admins`');
    expect(out).not.toContain('```');
  });
});
