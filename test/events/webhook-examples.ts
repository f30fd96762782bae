// Real webhook payloads from `@octokit/webhooks-examples` (payloads nobody here wrote), for every
// event Pilot interprets, across github.com and the GHES sets the package ships (deduplicated).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export const PILOT_EVENTS = [
  'issues',
  'issue_comment',
  'pull_request_review',
  'workflow_run',
  'workflow_dispatch',
  'repository_dispatch',
] as const;
export type PilotEvent = (typeof PILOT_EVENTS)[number];

// biome-ignore lint/suspicious/noExplicitAny: webhook payloads are arbitrary JSON that tests index freely
export type Payload = Record<string, any>;

export interface Example {
  event: PilotEvent;
  /** e.g. `api.github.com#3`: where the example came from, for test names. */
  label: string;
  payload: Payload;
}

interface Definition {
  name: string;
  examples: Payload[];
}

const SETS = ['api.github.com', 'ghes-31', 'ghes-32', 'ghes-33', 'ghes-34', 'ghes-35'];

function packageDir(): string {
  const require = createRequire(import.meta.url);
  return path.dirname(require.resolve('@octokit/webhooks-examples/package.json'));
}

function readSet(dir: string, set: string): Definition[] {
  return JSON.parse(readFileSync(path.join(dir, set, 'index.json'), 'utf8')) as Definition[];
}

/** Every example payload of the events Pilot reads, each a fresh deep copy. */
export function loadExamples(): Example[] {
  const dir = packageDir();
  const seen = new Set<string>();
  const out: Example[] = [];
  for (const set of SETS) {
    for (const def of readSet(dir, set)) {
      if (!(PILOT_EVENTS as readonly string[]).includes(def.name)) continue;
      def.examples.forEach((payload, i) => {
        const key = `${def.name}:${JSON.stringify(payload)}`;
        if (seen.has(key)) return;
        seen.add(key);
        out.push({ event: def.name as PilotEvent, label: `${set}#${i}`, payload });
      });
    }
  }
  return out;
}

export function clone<T>(value: T): T {
  return structuredClone(value);
}
