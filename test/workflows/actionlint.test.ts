// actionlint over every workflow and template, through the same script CI runs.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT } from './load.js';

const run = promisify(execFile);
const SCRIPT = join(ROOT, 'scripts', 'actionlint.mjs');

async function actionlint(...files: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [SCRIPT, ...files], { cwd: ROOT });
    return { code: 0, out: stdout + stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

const workflow = (concurrency: string, step: string) =>
  [
    'name: t',
    'on: push',
    'jobs:',
    '  a:',
    '    runs-on: ubuntu-latest',
    '    concurrency:',
    ...concurrency.split('\n').map((l) => `      ${l}`),
    '    steps:',
    `      - run: ${step}`,
    '',
  ].join('\n');

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

function tempWorkflow(text: string): string {
  dir ??= mkdtempSync(join(tmpdir(), 'pilot-actionlint-'));
  const file = join(dir, `w${Math.random().toString(36).slice(2)}.yml`);
  writeFileSync(file, text);
  return file;
}

describe('actionlint', () => {
  it('finds nothing in the workflows and the starter templates', async () => {
    const { code, out } = await actionlint();
    expect(out).toMatch(/actionlint: \d+ file\(s\), 0 finding\(s\)/);
    expect(Number(/(\d+) file/.exec(out)?.[1])).toBeGreaterThanOrEqual(5);
    expect(code).toBe(0);
  });

  it('reports every problem except the concurrency queue, per file, and exits non-zero', async () => {
    // One run over three files: the WebAssembly linter takes seconds to start.
    const queueOnly = tempWorkflow(workflow('group: g\ncancel-in-progress: false\nqueue: max', 'echo ok'));
    const broken = tempWorkflow(workflow('group: g\nqueue: max', 'echo ${{ github.no_such_property }}'));
    const typo = tempWorkflow(workflow('group: g\nqeueu: max', 'echo ok'));
    const { code, out } = await actionlint(queueOnly, broken, typo);
    expect(code).toBe(1);
    const lines = out.split('\n');
    const findingsFor = (file: string) => lines.filter((l) => l.includes(file.split('/').pop() as string));
    expect(findingsFor(queueOnly)).toEqual([]);
    expect(findingsFor(broken).join('\n')).toContain('property "no_such_property" is not defined');
    expect(findingsFor(typo).join('\n')).toContain('unexpected key "qeueu" for "concurrency" section');
    expect(out).toContain('2 finding(s)');
    expect(out).not.toContain('"queue"');
  });

  it('ignores exactly one message, the queue one, in .github/actionlint.yaml', () => {
    const config = parse(readFileSync(join(ROOT, '.github', 'actionlint.yaml'), 'utf8')) as {
      paths: Record<string, { ignore?: string[] }>;
    };
    const ignores = Object.values(config.paths).flatMap((p) => p.ignore ?? []);
    expect(ignores).toHaveLength(1);
    expect(ignores[0]).toContain('"queue"');
  });
});
