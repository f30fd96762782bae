// Where a task runs and how much room it gets, from real action inputs (INPUT_* variables as the runner
// sets them) and a real `.github/pilot.yml`, through src/config and triage.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { planTask } from '../../src/pipeline/plan.js';
import { DEFAULT_ROUTES, LEVELS, type Level } from '../../src/triage/index.js';
import { clearInputs, makeWorkspace, removeWorkspaces, setInputs } from '../config/inputs-env.js';

const SIZE_LABEL: Record<Level, string> = {
  trivial: 'size/xs',
  simple: 'size/s',
  medium: 'size/m',
  complex: 'size/l',
  epic: 'size/xl',
};

function plan(level: Level, inputs: Record<string, string> = {}, file?: string) {
  clearInputs();
  setInputs(inputs);
  const config = loadConfig({ workspace: makeWorkspace(file ? { '.github/pilot.yml': file } : {}) });
  return planTask(config, { title: 'Some work', body: 'Details.', labels: [SIZE_LABEL[level]] });
}

beforeEach(clearInputs);
afterEach(() => {
  clearInputs();
  removeWorkspaces();
});

describe('runner choice', () => {
  it('routes every level to ubuntu-latest when runners.long is not configured, and says why', () => {
    const plans = LEVELS.map((level) => plan(level));
    expect(plans.map((p) => p.level)).toEqual([...LEVELS]);
    for (const p of plans) expect(p.runner, p.level).toEqual(['ubuntu-latest']);
    expect(plans.find((p) => p.level === 'epic')?.runnerWhy).toBe(
      'runners.default: a epic task would go to runners.long, which is not configured',
    );
    expect(plans.find((p) => p.level === 'simple')?.runnerWhy).toBe('runners.default for a simple task');
  });

  it('keeps a hosted-only repository on its own default labels, also for a level the file sends to long', () => {
    const p = plan(
      'trivial',
      { 'runners-default': 'ubuntu-24.04' },
      'triage:\n  trivial: { runner: long }\n',
    );
    expect(p.runner).toEqual(['ubuntu-24.04']);
  });

  it('sends complex and epic tasks to runners.long once it is configured', () => {
    const file = 'runners:\n  long: [self-hosted, pilot]\n';
    expect(plan('complex', {}, file)).toMatchObject({
      runner: ['self-hosted', 'pilot'],
      runnerWhy: 'runners.long for a complex task',
    });
    expect(plan('medium', {}, file).runner).toEqual(['ubuntu-latest']);
    expect(plan('epic', { 'runners-long': '["self-hosted", "gpu"]' }).runner).toEqual(['self-hosted', 'gpu']);
  });
});

describe('explicit limits against triage', () => {
  it('lets max-turns: 30 and timeout-minutes: 60 given as inputs win over every level', () => {
    for (const level of LEVELS) {
      const p = plan(level, { 'max-turns': '30', 'timeout-minutes': '60' });
      expect({ level, maxTurns: p.maxTurns, minutes: p.timeoutMinutes }).toEqual({
        level,
        maxTurns: 30,
        minutes: 60,
      });
      expect(p.jobTimeoutMinutes).toBe(70);
    }
  });

  it('lets an explicit input win over the file and its per-level table', () => {
    const file = 'max-turns: 45\ntriage:\n  epic: { max-turns: 140 }\n';
    expect(plan('epic', { 'max-turns': '30' }, file).maxTurns).toBe(30);
    expect(plan('epic', {}, file).maxTurns).toBe(45);
  });

  it('leaves the room to triage when neither input nor file gives it (empty inputs, as the runner passes them)', () => {
    for (const level of LEVELS) {
      const p = plan(level, { 'max-turns': '', 'timeout-minutes': '' });
      expect([p.maxTurns, p.timeoutMinutes]).toEqual([
        DEFAULT_ROUTES[level].maxTurns,
        DEFAULT_ROUTES[level].timeoutMinutes,
      ]);
    }
    expect(new Set(LEVELS.map((level) => plan(level).maxTurns)).size).toBe(LEVELS.length);
  });
});
