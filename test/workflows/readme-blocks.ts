// The README's workflow blocks as workflow files, and the triggers a workflow's job conditions rely on,
// so the README is checked like the templates it shows.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { asObj, jobs, type Obj, ROOT, type WorkflowFile } from './load.js';

export interface ReadmeBlock extends WorkflowFile {
  /** The template the block says it is (`<!-- template: path -->` right above the fence), if any. */
  template: string | undefined;
}

const FENCE = /^```ya?ml\n([\s\S]*?)^```$/gm;
const MARKER = /<!--\s*template:\s*(\S+)\s*-->\s*$/;

/** Every ```yaml block of the README that is a workflow (it has `jobs:`); other YAML is left out. */
export function readmeWorkflowBlocks(readme = readFileSync(join(ROOT, 'README.md'), 'utf8')): ReadmeBlock[] {
  return [...readme.matchAll(FENCE)].flatMap((m) => {
    const doc = asObj(parse(m[1]));
    if (doc.jobs === undefined) return [];
    const before = readme.slice(0, m.index);
    const line = before.split('\n').length;
    return [{ path: `README.md:${line}`, text: m[1], doc, template: MARKER.exec(before.trimEnd())?.[1] }];
  });
}

/** Jobs calling Pilot's reusable workflow under any owner (the README must not hide behind `OWNER`). */
export function anyReusableCalls(wf: WorkflowFile): Array<{ job: string; call: Obj }> {
  return jobs(wf.doc)
    .filter(([, j]) => typeof j.uses === 'string' && /\/\.github\/workflows\/pilot\.yml@/.test(j.uses))
    .map(([job, call]) => ({ job, call }));
}

/** Jobs with a step running the Pilot action under any owner. */
export function anyPilotActionJobs(wf: WorkflowFile): string[] {
  return jobs(wf.doc)
    .filter(([, j]) =>
      (Array.isArray(j.steps) ? j.steps : []).some((s) =>
        /^[\w.-]+\/pilot@/.test(String(asObj(s).uses ?? '')),
      ),
    )
    .map(([id]) => id);
}

/**
 * The events (and event actions) the jobs' `if:` conditions act on: `github.event_name == 'E'`, with
 * every `github.event.action == 'A'` written before the next event name. An event a condition names
 * but the workflow does not subscribe to is work that never starts.
 */
export function handledEvents(doc: Obj): Map<string, Set<string>> {
  const handled = new Map<string, Set<string>>();
  for (const [, job] of jobs(doc)) {
    const condition = String(job.if ?? '');
    const parts = condition.split(/(?=github\.event_name\s*==)/);
    for (const part of parts) {
      const event = /^github\.event_name\s*==\s*'([\w-]+)'/.exec(part)?.[1];
      if (!event) continue;
      const actions = handled.get(event) ?? new Set<string>();
      for (const a of part.matchAll(/github\.event\.action\s*==\s*'([\w-]+)'/g)) actions.add(a[1]);
      handled.set(event, actions);
    }
  }
  return handled;
}

/** `on:` as event → the `types:` it lists (empty set = every type). */
export function subscribed(doc: Obj): Map<string, Set<string>> {
  const on = doc.on ?? doc.true;
  const entries: Array<[string, unknown]> =
    typeof on === 'string'
      ? [[on, null]]
      : Array.isArray(on)
        ? on.map((e) => [String(e), null])
        : Object.entries(asObj(on));
  return new Map(
    entries.map(([event, spec]) => {
      const types = asObj(spec).types;
      return [event, new Set(Array.isArray(types) ? types.map(String) : [])];
    }),
  );
}

/** What `handled` needs that `on` lacks, as `event` or `event: action`. */
export function missingTriggers(
  handled: Map<string, Set<string>>,
  on: Map<string, Set<string>>,
  optional: readonly string[] = [],
): string[] {
  const missing: string[] = [];
  for (const [event, actions] of handled) {
    if (optional.includes(event)) continue;
    const types = on.get(event);
    if (!types) {
      missing.push(event);
      continue;
    }
    if (types.size === 0) continue;
    for (const action of actions) if (!types.has(action)) missing.push(`${event}: ${action}`);
  }
  return missing;
}
