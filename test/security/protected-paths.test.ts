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
});
