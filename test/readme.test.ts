// The README's tables, action.yml and what src/config/inputs.ts reads must never drift apart
// (claude-code-action keeps the same promise with a test in base-action/test/).
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { INPUT_DEFAULTS, INPUT_NAMES } from '../src/config/inputs.js';
import { OUTPUTS } from '../src/constants.js';
import { DEFAULT_ROUTES, LEVELS } from '../src/triage/index.js';

interface ActionYaml {
  name: string;
  runs: Record<string, string>;
  inputs: Record<string, { description?: string; required?: boolean; default?: unknown }>;
  outputs: Record<string, { description?: string }>;
}

const action = parse(readFileSync(new URL('../action.yml', import.meta.url), 'utf8')) as ActionYaml;
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

/** Rows of the first table under a `## heading`, as cells without surrounding backticks. */
function table(heading: string): string[][] {
  const lines = readme.split('\n');
  const start = lines.indexOf(`## ${heading}`);
  if (start < 0) throw new Error(`README has no "## ${heading}" section`);
  const rows: string[][] = [];
  for (const line of lines.slice(lines.findIndex((l, i) => i > start && l.startsWith('|')))) {
    if (!line.startsWith('|')) break;
    rows.push(cells(line));
  }
  return rows.slice(2); // header and separator
}

function cells(line: string): string[] {
  return line
    .slice(1, line.trimEnd().length - 1)
    .split(/(?<!\\)\|/)
    .map((cell) => cell.trim().replace(/^`(.*)`$/, '$1'));
}

const readmeInputs = new Map(table('Inputs').map(([name, , byDefault]) => [name, byDefault]));
const readmeOutputs = table('Outputs').map(([name]) => name);
const actionDefaults = Object.fromEntries(
  Object.entries(action.inputs).map(([name, input]) => [
    name,
    input.default === undefined ? '' : String(input.default),
  ]),
);
const sorted = (names: Iterable<string>) => [...names].sort();

describe('README, action.yml and the config reader agree', () => {
  it('list the same inputs', () => {
    expect(sorted(readmeInputs.keys())).toEqual(sorted(Object.keys(action.inputs)));
    expect(sorted(INPUT_NAMES)).toEqual(sorted(Object.keys(action.inputs)));
  });

  it('show the same default for every input', () => {
    expect(Object.fromEntries(readmeInputs)).toEqual(actionDefaults);
    expect(INPUT_DEFAULTS).toEqual(actionDefaults);
  });

  it('list the same outputs, which are the names the code sets', () => {
    expect(sorted(readmeOutputs)).toEqual(sorted(Object.keys(action.outputs)));
    expect(sorted(Object.values(OUTPUTS))).toEqual(sorted(Object.keys(action.outputs)));
  });

  it('describe every input and output, and make no input required', () => {
    for (const [name, input] of Object.entries(action.inputs)) {
      expect(input.description, name).toMatch(/\w/);
      expect(input.required, name).toBe(false);
    }
    for (const [name, output] of Object.entries(action.outputs))
      expect(output.description, name).toMatch(/\w/);
  });

  it('run main and post on node24, post always', () => {
    expect(action.runs).toEqual({
      using: 'node24',
      main: 'dist/main/index.js',
      post: 'dist/post/index.js',
      'post-if': 'always()',
    });
  });

  it('give the two quickstart commands for a fresh clone, under Development', () => {
    const start = readme.indexOf('\n### Quickstart\n');
    expect(start).toBeGreaterThan(readme.indexOf('\n## Development\n'));
    const block = readme.slice(start).match(/```sh\n([\s\S]*?)```/)?.[1] ?? '';
    expect(block.trim().split('\n')).toEqual(['npm ci && npm run demo', 'npm test']);
  });

  it('put usage first: what it does, the workflow, permissions, inputs, outputs, commands, example, then development', () => {
    const headings = readme.split('\n').filter((l) => /^## /.test(l));
    const order = [
      'Minimal workflow',
      'Permissions',
      'Inputs',
      'Outputs',
      'Commands',
      'Example',
      'Development',
    ];
    const positions = order.map((h) => headings.indexOf(`## ${h}`));
    expect(
      positions.every((p) => p >= 0),
      JSON.stringify(headings),
    ).toBe(true);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
  });

  it('says what the development setup needs: the Debian packages CI installs, Node 24 in CI, the agent user', () => {
    const development = readme.slice(readme.indexOf('\n## Development\n'));
    const installScript = readFileSync(new URL('../.ci/install-packages', import.meta.url), 'utf8');
    const packages = [...installScript.matchAll(/\w+:([\w-]+)/g)].map((m) => m[1]);
    expect(packages).toEqual(['bubblewrap', 'socat', 'sudo', 'acl', 'prometheus-pushgateway']);
    expect(development).toContain(`\`${packages.join(' ')}\``);
    expect(development).toContain('.ci/run');
    expect(development).toMatch(/the tests on Node 24, the version the action runs on/);
    expect(development).toContain('pilot-agent');
    expect(development).toContain('PILOT_DEMO_NO_USER=1');
  });

  it("documents triage's own limits per size for max-turns and timeout-minutes, which have no default", () => {
    const rows = new Map(table('Inputs').map(([name, description]) => [name, description]));
    const sizes = (field: 'maxTurns' | 'timeoutMinutes') =>
      `(${LEVELS.map((level) => DEFAULT_ROUTES[level][field]).join(', ')} from trivial to epic)`;
    expect(rows.get('max-turns')).toContain(sizes('maxTurns'));
    expect(rows.get('timeout-minutes')).toContain(sizes('timeoutMinutes'));
    expect(action.inputs['max-turns'].default).toBeUndefined();
    expect(action.inputs['timeout-minutes'].default).toBeUndefined();
  });

  it('states the Node versions package.json declares', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    expect(pkg.engines.node).toBe('^22.12.0 || >=24.0.0');
    expect(readme).toContain('Development needs Node 22.12 or later');
  });

  it('links only to files that exist', () => {
    const links = [...readme.matchAll(/\]\(((?!https?:|#)[^)\s]+)\)/g)].map((m) => m[1]);
    expect(links).toEqual(
      expect.arrayContaining(['LICENSE', 'CONTRIBUTING.md', 'CHANGELOG.md', 'docs/github-app.md']),
    );
    for (const link of links) expect(existsSync(new URL(`../${link}`, import.meta.url)), link).toBe(true);
  });

  it('links only to anchors that exist', () => {
    const anchors = new Set(
      readme
        .split('\n')
        .filter((l) => /^#{1,6} /.test(l) && !l.startsWith('# Pilot:'))
        .map((l) =>
          l
            .replace(/^#+ /, '')
            .toLowerCase()
            .replace(/[^\w\s-]/g, '')
            .trim()
            .replace(/\s/g, '-'),
        ),
    );
    const used = [...readme.matchAll(/\]\(#([\w-]+)\)/g)].map((m) => m[1]);
    expect(used.length).toBeGreaterThan(5);
    for (const anchor of used) expect(anchors.has(anchor), anchor).toBe(true);
  });

  it('lists every /pilot command', () => {
    const commands = table('Commands').map(([command]) => command);
    for (const name of [
      'run',
      'plan',
      'retry',
      'cancel',
      'status',
      'fix',
      'help',
      'remember',
      'memory',
      'forget',
    ]) {
      expect(
        commands.some((c) => c.includes(`/pilot ${name}`)),
        name,
      ).toBe(true);
    }
  });
});
