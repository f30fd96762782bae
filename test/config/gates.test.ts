// `gates:`, `max-gate-rounds` and `self-review` (issue 18 items 2 and 3): read from the file (and the
// two settings from inputs), and every mistake names the file line and what would be accepted.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configTable } from '../../src/config/describe.js';
import { type Config, loadConfig } from '../../src/config/load.js';
import { clearInputs, makeWorkspace, removeWorkspaces, setInputs } from './inputs-env.js';

const FILE = '.github/pilot.yml';

function load(text: string, inputs: Record<string, string> = {}): Config {
  setInputs(inputs);
  return loadConfig({ workspace: makeWorkspace({ [FILE]: text }) });
}

describe('quality gate settings', () => {
  beforeEach(clearInputs);
  afterEach(() => {
    clearInputs();
    removeWorkspaces();
  });

  it('reads a list of gates with their defaults filled in', () => {
    const config = load(
      [
        'gates:',
        '  - { name: test, run: npm test, timeout-minutes: 5 }',
        '  - name: lint',
        '    run: npm run lint',
        '    required: false',
        'max-gate-rounds: 3',
        'self-review: true',
      ].join('\n'),
    );
    expect(config.gates).toEqual([
      { name: 'test', run: 'npm test', timeoutMinutes: 5, required: true },
      { name: 'lint', run: 'npm run lint', timeoutMinutes: 10, required: false },
    ]);
    expect(config.maxGateRounds).toBe(3);
    expect(config.selfReview).toBe(true);
    expect(config.sources?.selfReview).toBe('file');
    expect(configTable(config)).toContain('test: npm test; lint: npm run lint (optional)');
  });

  it('takes `gates: auto` and defaults to no gates, two rounds and no self-review', () => {
    expect(load('gates: auto\n').gates).toBe('auto');
    const none = load('max-turns: 9\n');
    expect(none.gates).toEqual([]);
    expect(none.maxGateRounds).toBe(2);
    expect(none.selfReview).toBe(false);
  });

  it('lets the inputs set max-gate-rounds and self-review', () => {
    const config = load('max-gate-rounds: 1\n', { 'max-gate-rounds': '4', 'self-review': 'true' });
    expect(config.maxGateRounds).toBe(4);
    expect(config.selfReview).toBe(true);
  });

  it('names the file line of a gate’s bad field, a missing command and an unknown key', () => {
    const text = [
      'gates:',
      '  - name: test',
      '    run: npm test',
      '    timeout-minutes: forever',
      '  - name: lint',
      '  - name: build',
      '    run: make',
      '    requird: false',
    ].join('\n');
    expect(() => load(text)).toThrow(
      /gates\[0\]\.timeout-minutes: "forever" is not valid \(\.github\/pilot\.yml line 4\)/,
    );
    expect(() => load(text)).toThrow(
      /gates\[1\]\.run: nothing is not valid \(\.github\/pilot\.yml line 5\): expected a shell command/,
    );
    expect(() => load(text)).toThrow(/requird.*line 8.*did you mean 'required'/);
  });

  it('refuses a string other than auto, a repeated gate name and a bad max-gate-rounds', () => {
    expect(() => load('gates: npm test\n')).toThrow(
      /gates: "npm test" is not valid \(\.github\/pilot\.yml line 1\): expected auto, or a list of gates/,
    );
    const twice = 'gates:\n  - { name: t, run: a }\n  - { name: t, run: b }\n';
    expect(() => load(twice)).toThrow(
      /gates\[1\]\.name: "t" is not valid \(\.github\/pilot\.yml line 3\): expected a gate name used once/,
    );
    expect(() => load('max-gate-rounds: 11\n')).toThrow(/max-gate-rounds: 11 .*line 1.*from 0 to 10/);
  });
});
