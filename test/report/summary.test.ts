// The job summary as the runner stores it (GITHUB_STEP_SUMMARY): an HTML table, where GitHub renders no
// markdown, so the tracking comment's code spans must arrive as <code>, never as literal backticks.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as core from '@actions/core';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { writeSummary } from '../../src/report/outputs.js';
import { cellHtml } from '../../src/report/summary-cell.js';

// core.summary remembers the file of its first write, so the tests share one and empty it in between.
const dir = mkdtempSync(path.join(tmpdir(), 'pilot-summary-'));
const file = path.join(dir, 'summary.md');

beforeEach(() => {
  writeFileSync(file, '');
  vi.stubEnv('GITHUB_STEP_SUMMARY', file);
  core.summary.emptyBuffer();
});

afterEach(() => vi.unstubAllEnvs());
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the job summary', () => {
  it('shows code spans of the tracking rows as <code>, with no literal backticks', async () => {
    await writeSummary('Pilot: #7 — pull request #8 is open', [
      ['Branch', '`pilot/issue-7-add-farewell`'],
      ['Work run', 'https://github.com/o/r/actions/runs/1 (repository_dispatch `pilot`)'],
      ['Size', 'simple: 20 words, 1 files (score 2)'],
    ]);
    const html = readFileSync(file, 'utf8');
    expect(html).toContain('<td>Branch</td><td><code>pilot/issue-7-add-farewell</code></td>');
    expect(html).toContain('(repository_dispatch <code>pilot</code>)');
    expect(html).not.toContain('`');
  });

  it('escapes markup in cells and titles an issue author controls', async () => {
    await writeSummary('Pilot: <b>#1</b>', [['Size', 'epic: label <img src=x onerror=alert(1)>']]);
    const html = readFileSync(file, 'utf8');
    expect(html).toContain('<h3>Pilot: &lt;b&gt;#1&lt;/b&gt;</h3>');
    expect(html).toContain('epic: label &lt;img src=x onerror=alert(1)&gt;');
    expect(html).not.toContain('<img');
  });
});

describe('cellHtml', () => {
  it('turns bold and links into HTML and keeps markup inside code spans as text', () => {
    expect(cellHtml('**failed**: see [run 5](https://github.com/o/r/actions/runs/5)')).toBe(
      '<strong>failed</strong>: see <a href="https://github.com/o/r/actions/runs/5">run 5</a>',
    );
    expect(cellHtml('`<script>` and `a&b`')).toBe('<code>&lt;script&gt;</code> and <code>a&amp;b</code>');
    expect(cellHtml('[x](javascript:alert(1))')).toBe('[x](javascript:alert(1))');
  });
});
