// What a release publishes names the repository it is released from: the release workflow stamps the
// one setting (.github/pilot-ref) into the reusable workflow, the templates and the docs, and no
// placeholder survives. Runs the real script on a copy of the repository's published files.
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { asObj, jobs, load, PILOT_ACTION, PILOT_RELEASE_REF, ROOT, steps } from './load.js';
import { readmeWorkflowBlocks } from './readme-blocks.js';

const run = promisify(execFile);
const SCRIPT = join(ROOT, 'scripts', 'stamp-release.mjs');
const RELEASED = 'acme-corp/pilot-action@v3';

async function stampScript(...args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [SCRIPT, ...args]);
    return { code: 0, out: stdout + stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

let copy: string | undefined;
afterEach(() => {
  if (copy) rmSync(copy, { recursive: true, force: true });
  copy = undefined;
});

/** The repository as a release tag holds it, minus what is not published text (deps, build output). */
function copyRepository(): string {
  copy = mkdtempSync(join(tmpdir(), 'pilot-release-'));
  const skip = new Set(['node_modules', '.git', 'dist', '.tmp', 'build']);
  cpSync(ROOT, copy, { recursive: true, filter: (src) => !skip.has(relative(ROOT, src).split('/')[0]) });
  return copy;
}

function textFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => join(dir, f))
    .filter((f) => statSync(f).isFile() && /\.(ya?ml|md|json|ts|mjs)$/.test(f));
}

describe('release stamping', () => {
  it('keeps the development value in one setting that the workflows use', () => {
    expect(`${PILOT_ACTION}@${PILOT_RELEASE_REF}`).toBe(
      readFileSync(join(ROOT, '.github/pilot-ref'), 'utf8').trim(),
    );
  });

  it('leaves no placeholder in what a release publishes, and says so with --check', async () => {
    const dir = copyRepository();
    expect((await stampScript('--check', RELEASED, dir)).code).toBe(1);
    const stamped = await stampScript(RELEASED, dir);
    expect(stamped.code, stamped.out).toBe(0);
    expect(stamped.out).toContain('stamped .github/workflows/pilot.yml');
    expect(stamped.out).toContain('stamped README.md');
    const check = await stampScript('--check', RELEASED, dir);
    expect(check, check.out).toMatchObject({ code: 0 });
    const published = textFiles(dir).filter((f) => !relative(dir, f).startsWith('test/'));
    const left = published.filter((f) => /pilot-dev\/pilot|OWNER\/pilot/.test(readFileSync(f, 'utf8')));
    expect(left.map((f) => relative(dir, f))).toEqual([]);
  });

  it('points every Pilot step and call at the released repository and major tag', async () => {
    const dir = copyRepository();
    await stampScript(RELEASED, dir);
    const reusable = readFileSync(join(dir, '.github/workflows/pilot.yml'), 'utf8');
    const uses = [...reusable.matchAll(/uses: (\S+\/pilot[\w-]*@\S+)/g)].map((m) => m[1]);
    expect(new Set(uses)).toEqual(new Set(['acme-corp/pilot-action@v3']));
    const template = readFileSync(join(dir, 'workflows-templates/pilot.yml'), 'utf8');
    expect(template).toContain('uses: acme-corp/pilot-action/.github/workflows/pilot.yml@v3');
    // The README still shows the templates word for word after stamping.
    for (const block of readmeWorkflowBlocks(readFileSync(join(dir, 'README.md'), 'utf8')))
      expect(block.text).toBe(readFileSync(join(dir, String(block.template)), 'utf8'));
    expect(readFileSync(join(dir, '.github/pilot-ref'), 'utf8')).toBe(`${RELEASED}\n`);
  });

  it('refuses a value that is not owner/name@ref', async () => {
    const result = await stampScript('acme-corp/pilot-action', copyRepository());
    expect(result.code).toBe(2);
    expect(result.out).toContain('not an owner/name@ref');
  });

  it('is run by the release workflows with this repository and the major tag', () => {
    const runs = ['.github/workflows/release-prepare.yml', '.github/workflows/release.yml'].flatMap((path) =>
      jobs(load(path).doc).flatMap(([, job]) =>
        steps(job).map((s) => ({ path, run: String(s.run ?? ''), env: asObj(s.env) })),
      ),
    );
    const stamping = runs.filter((r) => r.run.includes('scripts/stamp-release.mjs'));
    expect(stamping.map((r) => r.path)).toEqual(
      expect.arrayContaining(['.github/workflows/release-prepare.yml', '.github/workflows/release.yml']),
    );
    const prepare = stamping.find(
      (r) => r.path.endsWith('release-prepare.yml') && !r.run.includes('git tag'),
    );
    expect(prepare?.env.PILOT_REF).toBe('${{ github.repository }}@${{ steps.version.outputs.major }}');
    expect(stamping.find((r) => r.path.endsWith('release.yml'))?.run).toContain(
      '--check "$REPOSITORY@$major"',
    );
  });
});
