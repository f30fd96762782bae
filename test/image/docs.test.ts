import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const repo = path.resolve(import.meta.dirname, '../..');
const doc = readFileSync(path.join(repo, 'docs/self-hosted.md'), 'utf8');
const release = readFileSync(path.join(repo, '.github/workflows/release.yml'), 'utf8');

const yamlBlocks = [...doc.matchAll(/^```yaml\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
const shellBlocks = [...doc.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => m[1]);

interface HelmValues {
  githubConfigUrl: string;
  githubConfigSecret: string | Record<string, string>;
  runnerScaleSetName: string;
  minRunners: number;
  maxRunners: number;
  template: {
    spec: {
      containers: { name: string; image: string; command: string[]; resources?: Record<string, unknown> }[];
    };
  };
}
interface PilotConfig {
  runners: { long: string | string[] };
}

const parsed = yamlBlocks.map((block) => parse(block) as Record<string, unknown>);
const helm = parsed.find((v) => 'githubConfigUrl' in v) as unknown as HelmValues;
const routing = parsed.filter((v) => 'runners' in v) as unknown as PilotConfig[];

describe('docs/self-hosted.md', () => {
  it('has YAML examples that all parse', () => {
    expect(yamlBlocks.length).toBeGreaterThanOrEqual(3);
    for (const block of yamlBlocks) expect(() => parse(block)).not.toThrow();
  });

  it('gives complete Helm values for gha-runner-scale-set that run this image', () => {
    expect(helm).toBeDefined();
    expect(helm.githubConfigUrl).toMatch(/^https:\/\/github\.com\//);
    expect(helm.githubConfigSecret).toBeTruthy();
    expect(helm.minRunners).toBeGreaterThanOrEqual(0);
    expect(helm.maxRunners).toBeGreaterThan(helm.minRunners);
    const [runner] = helm.template.spec.containers;
    expect(runner.name).toBe('runner');
    expect(runner.command).toEqual(['/home/runner/run.sh']);
    expect(runner.resources).toMatchObject({ requests: expect.any(Object), limits: expect.any(Object) });
  });

  it('names the image the release workflow publishes', () => {
    // release.yml pushes ghcr.io/<owner>/<repository>-runner; the repository is `pilot`.
    expect(release).toContain('name=ghcr.io/${GITHUB_REPOSITORY,,}-runner');
    const [runner] = helm.template.spec.containers;
    expect(runner.image).toMatch(/^ghcr\.io\/<owner>\/pilot-runner:\d/);
  });

  it('routes long tasks to the scale set by its name, the label runs-on uses', () => {
    expect(routing.map((r) => r.runners.long)).toContainEqual(helm.runnerScaleSetName);
    expect(helm.runnerScaleSetName).toBe('pilot-long');
  });

  it('routes to standalone runners by the labels the docker run examples register', () => {
    const labels = routing.map((r) => r.runners.long).find(Array.isArray) ?? [];
    expect(labels).toEqual(['self-hosted', 'pilot']);
    const jit = shellBlocks.find((b) => b.includes('generate-jitconfig')) ?? '';
    for (const label of labels) expect(jit).toContain(`labels[]=${label}`);
    const ephemeral = shellBlocks.find((b) => b.includes('--ephemeral')) ?? '';
    expect(ephemeral).toContain('--labels pilot');
  });

  it('registers runners as ephemeral only', () => {
    for (const block of shellBlocks.filter((b) => b.includes('config.sh')))
      expect(block).toContain('--ephemeral');
    expect(shellBlocks.some((b) => b.includes('run.sh --jitconfig'))).toBe(true);
  });
});
