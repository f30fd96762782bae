import { describe, expect, it } from 'vitest';
import { stateSeal } from '../../src/security/state-key.js';
import {
  claimedHolder,
  MIGRATIONS,
  newTask,
  parseTask,
  readMarker,
  renderMarker,
  replaceMarker,
  TASK_VERSION,
  withRun,
} from '../../src/state/task.js';

const KEY = 'k'.repeat(64);
const key = { seal: stateSeal({ current: KEY }, 'octo/repo'), issue: 1 };

describe('task document', () => {
  it('round-trips through the marker, with `>` unable to close the HTML comment', () => {
    const task = {
      ...newTask(),
      branch: 'pilot/issue-1-a->b',
      ciFixes: 1,
      reviewRounds: 2,
      sessionHash: 'ab'.repeat(32),
    };
    const marker = renderMarker(task, key);
    expect(marker.slice(0, -3)).not.toContain('->');
    expect(readMarker(`text\n\n${marker}`, key)).toEqual({ found: true, task });
  });

  it('migrates a version-0 document (no `v`, no runs) to the current version', () => {
    expect(Object.keys(MIGRATIONS).map(Number)).toEqual([0, 1, 2]);
    const parsed = parseTask({ rev: 4, status: 'pr_open', pr: 7 });
    expect(parsed).toEqual({
      ok: true,
      task: { v: TASK_VERSION, rev: 4, status: 'pr_open', pr: 7, attempts: 0, costUsd: 0, runs: [] },
    });
  });

  it('refuses a document from a newer Pilot, saying so', () => {
    const parsed = parseTask({ ...newTask(), v: TASK_VERSION + 1 });
    expect(parsed).toMatchObject({ ok: false, future: true });
    expect(
      readMarker(renderMarker({ ...newTask(), v: (TASK_VERSION + 1) as typeof TASK_VERSION }, key), key),
    ).toMatchObject({
      found: true,
      future: true,
    });
  });

  it('migrates a version-1 document unchanged but for its version (v2 adds optional plan and failure)', () => {
    const v1 = { v: 1, rev: 3, status: 'pr_open', pr: 7, attempts: 1, costUsd: 0.5, runs: [] };
    expect(parseTask(v1)).toEqual({ ok: true, task: { ...v1, v: TASK_VERSION } });
  });

  it('migrates a version-2 document to v3 unchanged but for its version, and keeps the v3 counters', () => {
    const v2 = { v: 2, rev: 5, status: 'ci_fixing', pr: 7, attempts: 2, costUsd: 0.7, ciFixes: 1, runs: [] };
    expect(parseTask(v2)).toEqual({ ok: true, task: { ...v2, v: 3 } });
    const v3 = {
      ...newTask(),
      status: 'review_fixing' as const,
      gateRounds: 2,
      ciSignature: 'test/npm test/1 failed',
    };
    expect(readMarker(renderMarker(v3, key), key)).toEqual({ found: true, task: v3 });
  });

  it('keeps a plan and a failure through the marker', () => {
    const failure = {
      reason: 'stopped after 3 turns',
      limit: 'max_turns' as const,
      toolErrors: ['npm test: 1 failed'],
    };
    const task = { ...newTask(), plan: '1. Add farewell()\n2. Test it', failure };
    expect(readMarker(renderMarker(task, key), key)).toEqual({ found: true, task });
  });

  it('reads an unknown status as a newer Pilot’s task, never as a fresh one', () => {
    expect(parseTask({ ...newTask(), status: 'review_fixing_v9' })).toMatchObject({
      ok: false,
      future: true,
      error: expect.stringContaining('review_fixing_v9'),
    });
  });

  it('refuses an unknown status and a non-object', () => {
    expect(parseTask({ ...newTask(), status: 'done' }).ok).toBe(false);
    expect(parseTask('running').ok).toBe(false);
    const json = '{"v":1';
    const mac = key.seal.sign({ purpose: 'task', issue: 1 }, json);
    expect(readMarker(`<!-- pilot:task ${json} mac:${mac} -->`, key)).toMatchObject({
      found: true,
      error: expect.stringContaining('JSON'),
    });
  });

  it('replaces only the trailing marker and keeps what the comment shows', () => {
    const body = `### Pilot — working\n\n${renderMarker(newTask(), key)}`;
    const next = replaceMarker(body, { ...newTask(), rev: 5 }, key);
    expect(next.startsWith('### Pilot — working\n\n')).toBe(true);
    expect(readMarker(next, key)).toMatchObject({ task: { rev: 5 } });
  });

  it('treats a marker that is not sealed with the key, or not last, as forged', () => {
    const task = { ...newTask(), status: 'merged' as const };
    const unsealed = `<!-- pilot:task ${JSON.stringify(task)} -->`;
    const otherKey = { seal: stateSeal({ current: 'o'.repeat(64) }, 'octo/repo'), issue: 1 };
    const otherIssue = { ...key, issue: 2 };
    for (const body of [
      unsealed,
      renderMarker(task, otherKey),
      renderMarker(task, otherIssue),
      `${renderMarker(task, key)}\n\nquoted afterwards`,
    ]) {
      expect(readMarker(body, key), body).toMatchObject({ found: true, forged: true });
    }
  });

  it('accepts a marker sealed with the previous key while the key rotates', () => {
    const old = { seal: stateSeal({ current: 'o'.repeat(64) }, 'octo/repo'), issue: 1 };
    const rotating = { seal: stateSeal({ current: KEY, previous: 'o'.repeat(64) }, 'octo/repo'), issue: 1 };
    expect(readMarker(renderMarker(newTask(), old), rotating)).toMatchObject({ task: { status: 'queued' } });
  });

  it('refuses to work without a state key, saying how to create one', () => {
    expect(() => stateSeal({ current: undefined }, 'octo/repo')).toThrow(
      /openssl rand -hex 32.*PILOT_STATE_KEY/s,
    );
    expect(() => stateSeal({ current: 'short' }, 'octo/repo')).toThrow(/too short/);
  });

  it('keeps the last 10 runs and bumps rev on each', () => {
    let task = newTask();
    for (let id = 1; id <= 12; id++) task = withRun(task, { id, kind: 'work', at: `2026-01-01T00:00:${id}` });
    expect(task.runs.map((r) => r.id)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(task.rev).toBe(12);
  });

  it('names the lease holder only while the task says running', () => {
    const task = withRun(withRun(newTask(), { id: 5, kind: 'work', at: 'a' }), {
      id: 6,
      kind: 'gate',
      at: 'b',
    });
    expect(claimedHolder({ ...task, status: 'running' })).toBe(5);
    expect(claimedHolder({ ...task, status: 'pr_open' })).toBeUndefined();
  });

  it('names a CI fix run as the holder, but not a fix the gate only asked for or a pending rerun', () => {
    const working = withRun(newTask(), { id: 5, kind: 'work', at: 'a' });
    expect(claimedHolder({ ...working, status: 'ci_fixing' })).toBe(5);
    expect(claimedHolder({ ...working, status: 'ci_fixing', ciRerun: 77 })).toBeUndefined();
    const asked = withRun(working, { id: 6, kind: 'gate', at: 'b' });
    expect(claimedHolder({ ...asked, status: 'ci_fixing' })).toBeUndefined();
  });
});
