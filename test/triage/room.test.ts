import { describe, expect, it } from 'vitest';
import { DEFAULT_ROUTES, jobTimeoutMinutes, resolveRunner, routeFor } from '../../src/triage/room.js';

describe('routeFor', () => {
  it('keeps small tasks on the default runner and sends complex and epic work to the long one', () => {
    expect(routeFor('trivial').runner).toBe('default');
    expect(routeFor('simple').runner).toBe('default');
    expect(routeFor('complex').runner).toBe('long');
    expect(routeFor('epic').runner).toBe('long');
  });

  it('gives bigger tasks more turns and time', () => {
    const levels = ['trivial', 'simple', 'medium', 'complex', 'epic'] as const;
    const turns = levels.map((l) => routeFor(l).maxTurns);
    const minutes = levels.map((l) => routeFor(l).timeoutMinutes);
    expect(turns).toEqual([...turns].sort((a, b) => a - b));
    expect(minutes).toEqual([...minutes].sort((a, b) => a - b));
  });

  it('applies per-level overrides from the config table and keeps the other fields', () => {
    const route = routeFor('medium', { medium: { runner: 'long', model: 'claude-opus-4-1' } });
    expect(route).toEqual({ ...DEFAULT_ROUTES.medium, runner: 'long', model: 'claude-opus-4-1' });
    expect(routeFor('simple', { medium: { maxTurns: 1 } })).toEqual(DEFAULT_ROUTES.simple);
  });

  it('ignores an override field that is present but undefined', () => {
    expect(routeFor('trivial', { trivial: { maxTurns: undefined } }).maxTurns).toBe(
      DEFAULT_ROUTES.trivial.maxTurns,
    );
  });

  it('gives the job ten minutes more than the agent', () => {
    expect(jobTimeoutMinutes(routeFor('simple'))).toBe(DEFAULT_ROUTES.simple.timeoutMinutes + 10);
  });
});

describe('resolveRunner', () => {
  const runners = { default: 'ubuntu-latest', long: ['self-hosted', 'pilot'] };

  it('gives the labels for runs-on as a list', () => {
    expect(resolveRunner('default', runners)).toEqual(['ubuntu-latest']);
    expect(resolveRunner('long', runners)).toEqual(['self-hosted', 'pilot']);
    expect(JSON.stringify(resolveRunner('long', runners))).toBe('["self-hosted","pilot"]');
  });

  it('splits a comma-separated string into labels', () => {
    expect(resolveRunner('long', { default: 'x', long: ' self-hosted , pilot,' })).toEqual([
      'self-hosted',
      'pilot',
    ]);
  });

  it('refuses an empty runner with the value and the accepted form', () => {
    expect(() => resolveRunner('long', { default: 'x', long: ' ' })).toThrow(
      /runners\.long is " ": expected a runner label or a list of labels/,
    );
    expect(() => resolveRunner('long', { default: 'x', long: [] })).toThrow(/runners\.long is \[\]/);
  });
});
