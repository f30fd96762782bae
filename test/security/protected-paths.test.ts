// Which of the agent's changes Pilot refuses to publish.
import { describe, expect, it } from 'vitest';
import { globToRegExp, protectionRules, refusedPaths } from '../../src/security/protected-paths.js';

const rules = (protectedPaths: string[] = [], configPath = '.github/pilot.yml') =>
  protectionRules({ configPath, protectedPaths });

describe('refusedPaths', () => {
  it.each([
    '.github/workflows/ci.yml',
    '.github/workflows/nested/deep.yaml',
    '.GitHub/Workflows/ci.yml',
    '.claude/settings.json',
    '.claude/commands/x.md',
    '.mcp.json',
    'CLAUDE.md',
    'packages/api/CLAUDE.md',
    'CLAUDE.local.md',
    '.github/pilot.yml',
    '.github/dependabot.yml',
    '.github/CODEOWNERS',
    '.github/actions/setup/action.yml',
    '.github/ISSUE_TEMPLATE/bug.md',
    '.GitHub/Dependabot.YML',
    '.gitmodules',
    '.GITMODULES',
  ])('refuses %s by default', (path) => {
    expect(refusedPaths([path], rules())).toEqual([path]);
  });

  it.each([
    'src/index.js',
    'docs/.github/notes.md',
    'sub/.gitmodules.txt',
    'docs/claude.md.txt',
    'x.mcp.json',
    'github/workflows/x.yml',
  ])('lets %s through', (path) => {
    expect(refusedPaths([path], rules())).toEqual([]);
  });

  it('protects the configured config path and extra protected-paths', () => {
    const r = rules(['infra/**', 'secrets/*.env', 'Makefile'], 'config/pilot.yaml');
    expect(
      refusedPaths(['config/pilot.yaml', 'infra/main.tf', 'secrets/prod.env', 'Makefile', 'src/a.js'], r),
    ).toEqual(['config/pilot.yaml', 'infra/main.tf', 'secrets/prod.env', 'Makefile']);
    expect(refusedPaths(['secrets/nested/prod.env'], r)).toEqual([]);
  });

  it('treats `!` entries as allowances, even for built-in protections', () => {
    const r = rules(['!.github/workflows/lint.yml', '!docs/**']);
    expect(
      refusedPaths(['.github/workflows/lint.yml', '.github/workflows/release.yml', 'docs/CLAUDE.md'], r),
    ).toEqual(['.github/workflows/release.yml']);
  });

  it('normalises ./ and leading slashes in patterns', () => {
    expect(globToRegExp('./infra/').test('infra/a/b.tf')).toBe(true);
    expect(globToRegExp('/Makefile').test('Makefile')).toBe(true);
    expect(globToRegExp('a?c').test('a/c')).toBe(false);
  });

  it('matches the scripts workflows call once they are named, in any case or Unicode form', () => {
    const r = rules(['scripts/ci/**', 'package.json']);
    expect(refusedPaths(['Scripts/CI/deploy.sh', 'package.json', 'scripts/dev.sh'], r)).toEqual([
      'Scripts/CI/deploy.sh',
      'package.json',
    ]);
    const decomposed = 'cafe\u0301/run.sh';
    expect(refusedPaths([decomposed], rules(['caf\u00e9/**']))).toEqual([decomposed]);
  });

  it('lists each refused path once', () => {
    expect(refusedPaths(['.mcp.json', '.mcp.json'], rules())).toEqual(['.mcp.json']);
  });

  it('lets a glob reach dot files and dot directories (picomatch with dot: true)', () => {
    const r = rules(['config/**', 'deploy/*']);
    expect(refusedPaths(['config/.env', 'config/.hidden/key.pem', 'deploy/.npmrc'], r)).toEqual([
      'config/.env',
      'config/.hidden/key.pem',
      'deploy/.npmrc',
    ]);
    expect(refusedPaths(['.github/workflows/.hidden.yml', 'x/.claude/CLAUDE.md'], rules())).toEqual([
      '.github/workflows/.hidden.yml',
      'x/.claude/CLAUDE.md',
    ]);
  });
});

describe('refusedPaths against paths dressed up to slip past', () => {
  it.each([
    ['another case', '.GITHUB/WORKFLOWS/CI.YML'],
    ['mixed case', '.gItHuB/wOrKfLoWs/ci.yml'],
    ['a ./ prefix', './.github/workflows/ci.yml'],
    ['a leading slash', '/.github/workflows/ci.yml'],
    ['a detour through ..', 'src/../.github/workflows/ci.yml'],
    ['a deeper detour', 'a/b/../../.github/workflows/ci.yml'],
    ['. segments and doubled slashes', '.github/./workflows//ci.yml'],
    ['backslashes', '.github\\workflows\\ci.yml'],
    ['fullwidth letters', '\uff0e\uff47\uff49\uff54\uff48\uff55\uff42/workflows/ci.yml'],
    ['a Cyrillic і', '.g\u0456thub/workflows/ci.yml'],
    ['a Cyrillic е and о in CLAUDE.md', 'CLAUD\u0415.md'],
    ['a Greek ο', '.github/workfl\u03bfws/ci.yml'],
    ['a dotless ı', '.g\u0131thub/workflows/ci.yml'],
    ['a zero-width space', '.git\u200bhub/workflows/ci.yml'],
    ['a bidi control', '.github/\u202eworkflows/ci.yml'],
    ['a combining accent', '.gi\u0301thub/workflows/ci.yml'],
    ['a trailing dot (Windows drops it)', '.github./workflows/ci.yml'],
    ['a trailing space (Windows drops it)', '.gitmodules '],
    ['a path outside the repository', '../.github/workflows/ci.yml'],
  ])('refuses %s: %j', (_why, path) => {
    expect(refusedPaths([path], rules())).toEqual([path]);
  });

  it("folds the Kelvin sign and fullwidth letters in the repository's own protected paths", () => {
    const r = rules(['kustomize/**', 'Makefile']);
    expect(refusedPaths(['\u212Austomize/prod.yaml', '\uff2dakefile', 'src/k.ts'], r)).toEqual([
      '\u212Austomize/prod.yaml',
      '\uff2dakefile',
    ]);
  });

  it('gives a look-alike no share of an allowance', () => {
    const r = rules(['!.github/workflows/lint.yml']);
    expect(refusedPaths(['.github/workflows/lint.yml'], r)).toEqual([]);
    const lookAlike = '.g\u0456thub/workflows/lint.yml';
    expect(refusedPaths([lookAlike, 'docs/../.github/workflows/release.yml'], r)).toEqual([
      lookAlike,
      'docs/../.github/workflows/release.yml',
    ]);
  });

  it('does not let an allowance reach out of its directory through ..', () => {
    const r = rules(['!docs/**']);
    expect(refusedPaths(['docs/../.github/workflows/ci.yml', 'docs/../CLAUDE.md'], r)).toEqual([
      'docs/../.github/workflows/ci.yml',
      'docs/../CLAUDE.md',
    ]);
    expect(refusedPaths(['docs/guide/CLAUDE.md'], r)).toEqual([]);
  });

  it('still lets ordinary names with accents or other scripts through', () => {
    expect(
      refusedPaths(['docs/caf\u00e9.md', 'src/\u0444\u0430\u0439\u043b.ts', 'notes/github.md'], rules()),
    ).toEqual([]);
  });
});
