// The main step's launcher: untrusted events load the gate's bundle, which must not carry what only
// the work run uses (the Actions cache SDK, the agent, the model gateway).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bundleFor, launchLine } from '../src/launch.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Every module (and package) `entry` reaches through static imports. */
function reach(entry: string, seen = new Set<string>()): Set<string> {
  if (seen.has(entry)) return seen;
  seen.add(entry);
  if (!entry.startsWith('/')) return seen;
  const source = readFileSync(entry, 'utf8');
  // Type-only imports are erased by the compiler: they load nothing.
  for (const [, spec] of source.matchAll(/^\s*(?:import|export)\s+(?!type\b)[^'"]*?from\s+'([^']+)'/gm)) {
    if (spec.startsWith('.')) reach(path.resolve(path.dirname(entry), spec.replace(/\.js$/, '.ts')), seen);
    else seen.add(spec);
  }
  return seen;
}

describe('the launcher', () => {
  it.each([
    ['issue_comment', '', 'gate'],
    ['issues', 'auto', 'gate'],
    ['pull_request_review', 'gate', 'gate'],
    ['workflow_run', '', 'gate'],
    ['repository_dispatch', '', 'work'],
    ['workflow_dispatch', 'auto', 'work'],
    ['schedule', '', 'work'],
    ['issue_comment', 'run', 'work'],
    ['repository_dispatch', 'route', 'work'],
    ['schedule', 'ops', 'work'],
    ['issues', 'ops', 'work'],
  ])('a %s event with phase %j loads the %s bundle', (event, phase, bundle) => {
    expect(bundleFor({ GITHUB_EVENT_NAME: event, INPUT_PHASE: phase })).toBe(bundle);
  });

  it('says first which event arrived and which part handles it', () => {
    expect(launchLine({ GITHUB_EVENT_NAME: 'issue_comment' }, 'gate')).toBe(
      'Pilot: issue_comment event → the gate (authorize, acknowledge, dispatch)',
    );
  });

  it("keeps the cache SDK, the agent, the gateway and ops mode out of the gate's bundle", () => {
    const gate = [...reach(path.join(ROOT, 'src/entry/gate.ts'))];
    const work = [...reach(path.join(ROOT, 'src/entry/work.ts'))];
    const heavy = (mods: string[]) =>
      mods
        .filter((m) => m === '@actions/cache' || m.includes('/src/agent/') || m.includes('/src/ops/'))
        .map((m) => path.relative(ROOT, m));
    expect(heavy(gate)).toEqual([]);
    // The check can fail: the work bundle does reach them.
    expect(heavy(work)).toEqual(
      expect.arrayContaining(['@actions/cache', 'src/agent/claude.ts', 'src/ops/checks.ts']),
    );
  });
});
