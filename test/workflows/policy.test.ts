// Repository policy for workflows: what GitHub does with concurrency, credentials and action refs.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { concurrencyGroups, sharedGroups } from './concurrency.js';
import {
  allWorkflows,
  asObj,
  jobs,
  load,
  type Obj,
  PILOT_ACTION,
  PILOT_RELEASE_REF,
  PILOT_REUSABLE,
  pilotWorkflows,
  REUSABLE,
  reusableCalls,
  steps,
} from './load.js';

const WORK_EVENTS = ['repository_dispatch', 'workflow_dispatch', 'schedule'];

describe('concurrency', () => {
  it('uses only queue values GitHub accepts (single, max) in every workflow', () => {
    const bad = allWorkflows().flatMap((wf) =>
      concurrencyGroups(wf.doc)
        .filter((g) => g.queue !== undefined && g.queue !== 'single' && g.queue !== 'max')
        .map((g) => `${wf.path} ${g.where}: queue ${JSON.stringify(g.queue)}`),
    );
    expect(bad).toEqual([]);
  });

  it('collects queue values from job-level concurrency (a wrong value would be caught)', () => {
    const doc = parse('jobs:\n  a:\n    concurrency: {group: g, queue: fifo}\n') as Obj;
    expect(concurrencyGroups(doc)).toEqual([{ where: 'a', group: 'g', queue: 'fifo' }]);
  });

  it('has no workflow-level concurrency in the reusable workflow or the templates', () => {
    const withTopLevel = pilotWorkflows()
      .filter((wf) => wf.doc.concurrency !== undefined)
      .map((wf) => wf.path);
    expect(withTopLevel).toEqual([]);
  });

  it('never lets a template share a concurrency group with the reusable workflow it calls', () => {
    const callee = load(REUSABLE).doc;
    const callers = pilotWorkflows().filter((wf) => reusableCalls(wf).length > 0);
    expect(callers.map((c) => c.path)).toEqual(
      expect.arrayContaining(['workflows-templates/pilot.yml', 'workflows-templates/pilot-sweep.yml']),
    );
    for (const caller of callers) expect(sharedGroups(caller.doc, callee), caller.path).toEqual([]);
  });

  it('detects a caller that reuses the callee group expression, or one that resolves to the same name', () => {
    const callee = load(REUSABLE).doc;
    const runGroup = String(asObj(asObj(asObj(callee.jobs).run).concurrency).group);
    const sameExpression = parse(
      `jobs:\n  pilot:\n    uses: ${PILOT_REUSABLE}@v1\n    concurrency:\n      group: "${runGroup}"\n`,
    ) as Obj;
    expect(sharedGroups(sameExpression, callee)).toMatchObject([{ why: 'same expression' }]);
    const sameName = {
      concurrency: { group: `pilot-issue-${'${{'} github.event.client_payload.issue }}` },
      jobs: {},
    };
    expect(sharedGroups(sameName, callee)).toMatchObject([
      { why: 'both resolve to the same name on repository_dispatch' },
    ]);
  });

  it('keys work jobs by the dispatched issue, never github.event.issue.number (the sweep and ops concern no issue)', () => {
    const workJobs = pilotWorkflows().flatMap((wf) =>
      jobs(wf.doc)
        .filter(
          ([id, job]) =>
            job.concurrency !== undefined && typeof job.uses !== 'string' && id !== 'sweep' && id !== 'ops',
        )
        .map(([id, job]) => ({
          where: `${wf.path} ${id}`,
          group: String(asObj(job.concurrency).group ?? job.concurrency),
        })),
    );
    expect(workJobs.length).toBeGreaterThanOrEqual(2);
    for (const { where, group } of workJobs) {
      expect(group, where).not.toMatch(/github\.event\.issue\.number/);
      expect(group, where).toMatch(/^pilot-issue-\$\{\{/);
    }
  });

  it('queues work for one issue in order instead of cancelling it', () => {
    for (const wf of pilotWorkflows()) {
      for (const [id, job] of jobs(wf.doc)) {
        const c = asObj(job.concurrency);
        if (!String(c.group ?? '').startsWith('pilot-issue-')) continue;
        expect({ where: `${wf.path} ${id}`, ...c }).toMatchObject({
          'cancel-in-progress': false,
          queue: 'max',
        });
      }
    }
  });
});

describe('triggers', () => {
  it('does the work only on trusted events', () => {
    const reusable = load(REUSABLE).doc;
    const jobsById = Object.fromEntries(jobs(reusable));
    const trusted = `${jobsById.route.if} ${jobsById.sweep.if}`;
    for (const event of WORK_EVENTS) expect(trusted).toContain(`'${event}'`);
    expect(jobsById.run.needs).toBe('route');
    // The sweep runs in its own job: no Pilot step there may choose a phase that does work on its own.
    expect(String(jobsById.sweep.if)).not.toContain('issue_comment');
    const single = Object.fromEntries(jobs(load('workflows-templates/pilot-single-job.yml').doc));
    for (const event of WORK_EVENTS) expect(String(single.work.if)).toContain(`'${event}'`);
  });
});

describe('checkout and credentials', () => {
  it('never leaves checkout credentials on disk in Pilot workflows and CI', () => {
    const files = [...pilotWorkflows(), load('.github/workflows/ci.yml')];
    const checkouts = files.flatMap((wf) =>
      jobs(wf.doc).flatMap(([id, job]) =>
        steps(job)
          .filter((s) => String(s.uses ?? '').startsWith('actions/checkout@'))
          .map((s) => ({ where: `${wf.path} ${id}`, persist: asObj(s.with)['persist-credentials'] })),
      ),
    );
    expect(checkouts.length).toBeGreaterThanOrEqual(5);
    expect(checkouts.filter((c) => c.persist !== false)).toEqual([]);
  });

  it('passes secrets by name, never `secrets: inherit` (it only works inside one organisation)', () => {
    for (const wf of pilotWorkflows()) {
      for (const { job, call } of reusableCalls(wf))
        expect(call.secrets, `${wf.path} ${job}`).not.toBe('inherit');
    }
  });
});

/** `uses:` lines outside comments, with their trailing comment. */
function usesLines(text: string): Array<{ line: number; ref: string; comment: string }> {
  return text.split('\n').flatMap((raw, i) => {
    const m = /^\s*(?:-\s+)?uses:\s*(['"]?)([^'"\s#]+)\1\s*(?:#\s*(.*))?$/.exec(raw);
    return m ? [{ line: i + 1, ref: m[2], comment: m[3] ?? '' }] : [];
  });
}

function unpinned(text: string): string[] {
  return usesLines(text)
    .filter(({ ref }) => !ref.startsWith('./') && !ref.startsWith('docker://'))
    .filter(({ ref }) => !ref.startsWith(`${PILOT_ACTION}@`) && !ref.startsWith(`${PILOT_REUSABLE}@`))
    .filter(({ ref, comment }) => !(/@[0-9a-f]{40}$/.test(ref) && /^v\d+(\.\d+)*\b/.test(comment)))
    .map(({ line, ref }) => `${line}: ${ref}`);
}

describe('action references', () => {
  it('pins every third-party action to a full commit SHA with a version comment', () => {
    const bad = allWorkflows().flatMap((wf) => unpinned(wf.text).map((u) => `${wf.path}:${u}`));
    expect(bad).toEqual([]);
  });

  it('flags a tag ref and a SHA without its version comment', () => {
    const text = [
      '      - uses: actions/checkout@v5',
      '      - uses: actions/setup-node@49933ea5288caeca8642d1e84afbd3f7d6820020',
      '      - uses: actions/setup-node@49933ea5288caeca8642d1e84afbd3f7d6820020 # v4.4.0',
      '      # - uses: actions/cache@v4',
    ].join('\n');
    expect(unpinned(text)).toEqual([
      '1: actions/checkout@v5',
      '2: actions/setup-node@49933ea5288caeca8642d1e84afbd3f7d6820020',
    ]);
  });

  it('refers to Pilot itself by its release ref, never `./` (inside a reusable workflow that is the caller)', () => {
    for (const wf of pilotWorkflows()) {
      const pilotRefs = usesLines(wf.text).filter(
        (u) => u.ref.startsWith(PILOT_ACTION) || u.ref.startsWith('./'),
      );
      expect(pilotRefs.length, wf.path).toBeGreaterThan(0);
      for (const u of pilotRefs)
        expect([`${PILOT_ACTION}@${PILOT_RELEASE_REF}`, `${PILOT_REUSABLE}@${PILOT_RELEASE_REF}`]).toContain(
          u.ref,
        );
    }
  });
});

describe('permissions', () => {
  it('grants nothing at workflow level and names what each job needs', () => {
    for (const wf of pilotWorkflows()) {
      expect(wf.doc.permissions, wf.path).toEqual({});
      for (const [id, job] of jobs(wf.doc)) expect(job.permissions, `${wf.path} ${id}`).toBeTypeOf('object');
    }
  });

  it('gives the route job read access only', () => {
    const route = asObj(asObj(load(REUSABLE).doc.jobs).route);
    expect(Object.values(asObj(route.permissions)).every((p) => p === 'read')).toBe(true);
  });

  it('lets callers grant at least what the reusable workflow asks for', () => {
    const level = { none: 0, read: 1, write: 2 } as Record<string, number>;
    const needed: Record<string, number> = {};
    for (const [, job] of jobs(load(REUSABLE).doc)) {
      for (const [scope, p] of Object.entries(asObj(job.permissions)))
        needed[scope] = Math.max(needed[scope] ?? 0, level[String(p)]);
    }
    for (const wf of pilotWorkflows()) {
      for (const { job, call } of reusableCalls(wf)) {
        const granted = asObj(call.permissions);
        for (const [scope, n] of Object.entries(needed)) {
          expect(
            level[String(granted[scope] ?? 'none')],
            `${wf.path} ${job} ${scope}`,
          ).toBeGreaterThanOrEqual(n);
        }
      }
    }
  });
});
