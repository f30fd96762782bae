// `gates: auto` picks the obvious commands from the default branch's files and says what it chose.
import { describe, expect, it } from 'vitest';
import { detectGates, type RepoFiles } from '../../src/pipeline/gates-detect.js';

function repo(files: Record<string, string>, dirs: string[] = []): RepoFiles {
  return {
    names: new Set([...Object.keys(files), ...dirs.map((d) => `${d}/`)]),
    read: async (name) => files[name] ?? null,
  };
}

const runs = async (files: RepoFiles) => (await detectGates(files)).gates.map((g) => g.run);

describe('gates: auto', () => {
  it('takes package.json test and lint scripts, but not npm init’s placeholder', async () => {
    const pkg = (scripts: object) => repo({ 'package.json': JSON.stringify({ scripts }) });
    expect(await runs(pkg({ test: 'vitest run', lint: 'biome check' }))).toEqual([
      'npm test',
      'npm run lint',
    ]);
    expect(await runs(pkg({ test: 'echo "Error: no test specified" && exit 1' }))).toEqual([]);
    expect(await runs(repo({ 'package.json': '{ not json' }))).toEqual([]);
  });

  it('finds make test, pytest, go test and cargo test', async () => {
    expect(await runs(repo({ Makefile: 'build:\n\tcc x.c\ntest: build\n\t./x\n' }))).toEqual(['make test']);
    expect(await runs(repo({ Makefile: 'build:\n\tcc x.c\n' }))).toEqual([]);
    expect(await runs(repo({ 'pytest.ini': '' }))).toEqual(['pytest']);
    expect(await runs(repo({ 'pyproject.toml': '[tool.pytest.ini_options]\n' }))).toEqual(['pytest']);
    expect(await runs(repo({ 'requirements.txt': 'requests\n' }, ['tests']))).toEqual(['pytest']);
    expect(await runs(repo({ 'requirements.txt': 'requests\n' }))).toEqual([]);
    expect(await runs(repo({ 'go.mod': 'module x\n' }))).toEqual(['go test ./...']);
    expect(await runs(repo({ 'Cargo.toml': '[package]\n' }))).toEqual(['cargo test']);
  });

  it('says which it chose, and that it found none', async () => {
    const found = await detectGates(repo({ 'go.mod': 'module x\n', 'Cargo.toml': '' }));
    expect(found.said).toBe('gates: auto chose `go test ./...`, `cargo test`');
    expect(found.gates.every((g) => g.required && g.timeoutMinutes === 10)).toBe(true);
    expect((await detectGates(repo({ 'README.md': 'hi' }))).said).toMatch(
      /found no test or lint command.*no gates run/,
    );
  });
});
