// `gates: auto`: the obvious test and lint commands of a repository, read from the default branch's
// commit (never the working tree, which the agent is about to change), and which files decided it.
import { z } from 'zod';
import { GATE_DEFAULT_TIMEOUT_MINUTES, type GateSpec } from '../config/schema.js';
import type { Git } from '../git/git.js';

/** What a repository holds at its root, read by whoever knows where the base commit is. */
export interface RepoFiles {
  /** Names at the root (directories end with `/`). */
  names: Set<string>;
  read(name: string): Promise<string | null>;
}

export interface Detected {
  gates: GateSpec[];
  /** One line for the log and the summary: which commands were chosen and why, or that none were. */
  said: string;
}

const PackageJson = z.looseObject({ scripts: z.record(z.string(), z.string()).optional() });

/** `npm init`'s placeholder test script fails on purpose: it is not a test suite. */
const NPM_PLACEHOLDER = /no test specified/;

function gate(name: string, run: string): GateSpec {
  return { name, run, timeoutMinutes: GATE_DEFAULT_TIMEOUT_MINUTES, required: true };
}

async function npmGates(files: RepoFiles): Promise<GateSpec[]> {
  const text = files.names.has('package.json') ? await files.read('package.json') : null;
  if (!text) return [];
  let parsed: z.infer<typeof PackageJson>;
  try {
    parsed = PackageJson.parse(JSON.parse(text));
  } catch {
    return [];
  }
  const scripts = parsed.scripts ?? {};
  const found: GateSpec[] = [];
  if (scripts.test && !NPM_PLACEHOLDER.test(scripts.test)) found.push(gate('npm test', 'npm test'));
  if (scripts.lint) found.push(gate('npm run lint', 'npm run lint'));
  return found;
}

async function makeGates(files: RepoFiles): Promise<GateSpec[]> {
  const makefile = ['Makefile', 'makefile', 'GNUmakefile'].find((name) => files.names.has(name));
  const text = makefile ? await files.read(makefile) : null;
  return text && /^test\s*:/m.test(text) ? [gate('make test', 'make test')] : [];
}

async function pytestGates(files: RepoFiles): Promise<GateSpec[]> {
  const { names } = files;
  if (names.has('pytest.ini')) return [gate('pytest', 'pytest')];
  const pyproject = names.has('pyproject.toml') ? await files.read('pyproject.toml') : null;
  if (pyproject && /pytest/.test(pyproject)) return [gate('pytest', 'pytest')];
  const python = pyproject !== null || names.has('setup.py') || names.has('requirements.txt');
  return python && names.has('tests/') ? [gate('pytest', 'pytest')] : [];
}

/** Chooses the gates `gates: auto` runs. Every ecosystem found contributes; order is stable. */
export async function detectGates(files: RepoFiles): Promise<Detected> {
  const gates = [
    ...(await npmGates(files)),
    ...(await makeGates(files)),
    ...(await pytestGates(files)),
    ...(files.names.has('go.mod') ? [gate('go test', 'go test ./...')] : []),
    ...(files.names.has('Cargo.toml') ? [gate('cargo test', 'cargo test')] : []),
  ];
  const said = gates.length
    ? `gates: auto chose ${gates.map((g) => `\`${g.run}\``).join(', ')}`
    : 'gates: auto found no test or lint command (package.json test/lint scripts, a Makefile test target, pytest, go.mod, Cargo.toml): no gates run';
  return { gates, said };
}

/** The root of `ref` through Pilot's own git: names and file contents, never the working tree. */
export async function filesAt(git: Git, ref: string): Promise<RepoFiles> {
  const listed = await git.run(['ls-tree', ref], { allowFail: true });
  const names = new Set<string>();
  for (const line of listed.stdout.split('\n')) {
    const match = /^\d+ (blob|tree) [0-9a-f]+\t(.+)$/.exec(line);
    if (match) names.add(match[1] === 'tree' ? `${match[2]}/` : match[2]);
  }
  return {
    names,
    read: async (name) => {
      const shown = await git.run(['show', `${ref}:${name}`], { allowFail: true });
      return shown.code === 0 ? shown.stdout.slice(0, 200_000) : null;
    },
  };
}
