import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  aptViolations,
  baseImageViolations,
  dockerfileDownloadViolations,
  finalUserViolations,
  initialArgs,
  labelNames,
  passwordlessSudoViolations,
  REQUIRED_LABELS,
  scriptDownloadViolations,
} from './rules.js';

const repo = path.resolve(import.meta.dirname, '../..');
const dockerfile = readFileSync(path.join(repo, 'Dockerfile'), 'utf8');
const scripts = ['docker/install-tools.sh', 'docker/setup-users.sh'].map((file) => ({
  file,
  text: readFileSync(path.join(repo, file), 'utf8'),
}));

// TODO(action.yml): remove once action.yml exists everywhere; until then the image pins this value,
// which must equal the action's `claude-code-version` default.
const PINNED_CLAUDE_CODE_VERSION = '2.1.331';

function actionClaudeCodeDefault(): string {
  try {
    const action = parse(readFileSync(path.join(repo, 'action.yml'), 'utf8')) as {
      inputs?: Record<string, { default?: unknown }>;
    };
    const value = action.inputs?.['claude-code-version']?.default;
    if (value === undefined) throw new Error('action.yml has no claude-code-version default');
    return String(value);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return PINNED_CLAUDE_CODE_VERSION;
    throw error;
  }
}

const BAD = `
FROM ubuntu:latest
RUN apt-get update && apt-get install -y curl
RUN curl -fsSL https://example.com/tool.tar.gz | tar xz
RUN echo "runner ALL=(ALL) NOPASSWD: ALL" > /etc/sudoers.d/runner
USER root
`;

describe('Dockerfile', () => {
  it('pins the official runner image by version ARG and digest in every stage of a multi-stage build', () => {
    expect(baseImageViolations(dockerfile)).toEqual([]);
    expect(baseImageViolations(BAD)).toEqual(
      expect.arrayContaining([
        'expected a multi-stage build, found 1 FROM',
        expect.stringMatching(/ubuntu:latest: tag 'latest' is not a pinned/),
        expect.stringMatching(/no sha256 digest/),
      ]),
    );
  });

  it('takes every tool version from a build arg with a concrete default', () => {
    const args = initialArgs(dockerfile);
    expect(args.get('RUNNER_VERSION')).toMatch(/^\d+\.\d+\.\d+$/);
    expect(args.get('NODE_VERSION')).toMatch(/^24\.\d+\.\d+$/);
    expect(args.get('GH_VERSION')).toMatch(/^\d+\.\d+\.\d+$/);
    expect(args.get('CLAUDE_CODE_VERSION')).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('installs the same Claude Code version the action pins, so the action skips its own install', () => {
    expect(initialArgs(dockerfile).get('CLAUDE_CODE_VERSION')).toBe(actionClaudeCodeDefault());
  });

  it('ends as the non-root runner user', () => {
    expect(finalUserViolations(dockerfile)).toEqual([]);
    expect(dockerfile.trimEnd().split('\n').at(-1)).toBe('USER runner');
    expect(finalUserViolations(BAD)).toEqual(['final USER is root']);
  });

  it('installs apt packages without recommends and drops the lists in the same layer', () => {
    expect(aptViolations(dockerfile)).toEqual([]);
    expect(aptViolations(BAD)).toEqual([
      'line 3: apt install without --no-install-recommends',
      'line 3: apt install without rm -rf /var/lib/apt/lists/* in the same RUN',
    ]);
  });

  it('grants no passwordless sudo except starting commands as the agent user', () => {
    expect(passwordlessSudoViolations(dockerfile)).toEqual([]);
    for (const { text } of scripts) expect(passwordlessSudoViolations(text)).toEqual([]);
    expect(passwordlessSudoViolations(BAD)).toHaveLength(1);
    expect(passwordlessSudoViolations('%sudo   ALL=(ALL:ALL) NOPASSWD:ALL')).toHaveLength(1);
  });

  it('verifies a checksum after every download, in the Dockerfile and in the scripts it runs', () => {
    expect(dockerfileDownloadViolations(dockerfile)).toEqual([]);
    for (const { file, text } of scripts) expect(scriptDownloadViolations(text, file)).toEqual([]);
    expect(dockerfileDownloadViolations(BAD)).toEqual(['line 4: RUN downloads without sha256sum -c']);
    const unverified = 'get() {\n  curl -fo "$2" "$1"\n}\nmain() {\n  get https://x/y y\n  tar xf y\n}\n';
    expect(scriptDownloadViolations(unverified, 'bad.sh')).toEqual([
      'bad.sh: main() downloads without a checksum check afterwards: get https://x/y y',
      'bad.sh: downloads but never runs sha256sum -c',
    ]);
  });

  it('carries the OCI labels registries and scanners read', () => {
    expect(labelNames(dockerfile)).toEqual(expect.arrayContaining(REQUIRED_LABELS));
  });

  it('copies only the scripts it runs into the build context', () => {
    const ignore = readFileSync(path.join(repo, '.dockerignore'), 'utf8');
    const rules = ignore.split('\n').filter((line) => line.trim() && !line.startsWith('#'));
    expect(rules[0]).toBe('**');
    const copied = [...dockerfile.matchAll(/^COPY\s+(?:--\S+\s+)*(docker\/\S+)/gm)].map((m) => m[1]);
    expect(copied.length).toBeGreaterThan(0);
    for (const file of copied) expect(rules).toContain(`!${file}`);
  });

  it('documents that it is for ephemeral (JIT) runners only', () => {
    expect(dockerfile).toMatch(/EPHEMERAL \(JIT\) RUNNERS ONLY/);
  });
});
