import { describe, expect, it } from 'vitest';
import { mergeHistory, parseCacheDoc, reconcile, taskKey, taskKeyPrefix } from '../../src/state/cache-doc.js';
import { newTask } from '../../src/state/task.js';

const run = (id: number, at: string) => ({ id, kind: 'work' as const, at });
const doc = (rev: number, history = [run(1, '2026-01-01')]) => ({
  v: 1,
  issue: 3,
  task: { ...newTask(), rev },
  history,
});

describe('cache document', () => {
  it('is keyed per run and attempt under a per-issue prefix', () => {
    expect(taskKey(3, 99, 2)).toBe('pilot-v1-task-3-99-2');
    expect(taskKey(3, 99, 2).startsWith(taskKeyPrefix(3))).toBe(true);
    expect(taskKey(30, 1, 1).startsWith(taskKeyPrefix(3))).toBe(false);
  });

  it.each([
    ['corrupt JSON', '{"v":1,', /not JSON/],
    ['a future version', JSON.stringify({ ...doc(1), v: 9 }), /future version 9/],
    ['another issue', JSON.stringify({ ...doc(1), issue: 4 }), /issue #4/],
    ['a future task inside', JSON.stringify({ ...doc(1), task: { v: 5 } }), /newer than this Pilot/],
  ])('rejects %s', (_, text, why) => {
    const parsed = parseCacheDoc(text, 3);
    expect('error' in parsed && parsed.error).toMatch(why);
  });

  it('is used when its rev matches the marker', () => {
    const r = reconcile(
      { ...newTask(), rev: 4, runs: [run(2, '2026-01-02')] },
      { status: 'hit', key: 'k', doc: doc(4) },
    );
    expect(r.note).toContain('from the cache');
    expect(r.history.map((h) => h.id)).toEqual([1, 2]);
  });

  it('only adds history when older than the marker, and is ignored when ahead of it', () => {
    const marker = { ...newTask(), rev: 4, runs: [run(2, '2026-01-02')] };
    expect(reconcile(marker, { status: 'hit', key: 'k', doc: doc(2) }).history.map((h) => h.id)).toEqual([
      1, 2,
    ]);
    const ahead = reconcile(marker, { status: 'hit', key: 'k', doc: doc(9) });
    expect(ahead.history.map((h) => h.id)).toEqual([2]);
    expect(ahead.note).toContain('ahead');
  });

  it('rebuilds from the marker when the cache is unusable or empty', () => {
    const marker = { ...newTask(), rev: 1, runs: [run(2, 'x')] };
    expect(reconcile(marker, { status: 'invalid', reason: 'bad' }).history).toEqual(marker.runs);
    expect(reconcile(marker, { status: 'miss' }).note).toContain('no cache entry');
  });

  it('merges histories without duplicates, oldest first', () => {
    expect(mergeHistory([run(1, 'a'), run(2, 'b')], [run(2, 'b'), run(3, 'c')]).map((h) => h.id)).toEqual([
      1, 2, 3,
    ]);
  });
});
