// Shared setup of the lifecycle e2e tests: one writer (mona), one issue asking for a farewell helper,
// started by hand (workflow_dispatch), and a look at what the run left behind.
import { readdirSync, readFileSync } from 'node:fs';
import { OWNER, REPO, startWorld, type World, type WorldOptions } from '../world/index.js';
import { say, write } from '../world/model/index.js';
import type { RunOptions } from '../world/runner.js';

export const BRANCH = 'pilot/issue-1-add-a-farewell-helper';

/** Starts a world with the farewell issue; the caller closes `w`. */
export async function farewellWorld(opts: WorldOptions, body = 'Please add farewell().') {
  const w = await startWorld(opts);
  w.gh.setPermission(OWNER, REPO, 'mona', 'write');
  const issue = w.gh.addIssue(OWNER, REPO, { title: 'Add a farewell helper', body, user: 'mona' });
  return { w, issue };
}

/** The text of the issue's tracking comment (empty before Pilot wrote one). */
export function trackingOf(w: World, issue: number): string {
  return w.pilotComments(issue).find((c) => c.body.includes('pilot:task'))?.body ?? '';
}

/** Runs the issue by hand and returns the work run and the tracking comment's text. */
export async function runFarewell(w: World, issue: number) {
  const runs = await w.run('workflow_dispatch', w.dispatchEvent({ issue: String(issue) }, 'mona'));
  return { work: runs[runs.length - 1], tracking: trackingOf(w, issue) };
}

/** Processes whose environment mentions this world's directory (the agent's HOME lives there). */
export function processesOf(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`, 'latin1').includes(dir))
        found.push(readFileSync(`/proc/${entry}/cmdline`, 'latin1').replace(/\0/g, ' '));
    } catch {
      // gone or not ours
    }
  }
  return found;
}

/**
 * A run the user cancels while the model thinks about its next step, after the agent wrote
 * src/farewell.js. `runner` can shorten the runner's signal timing.
 */
export async function cancelledFarewell(runner: Partial<RunOptions> = {}) {
  const cancel = new AbortController();
  const { w, issue } = await farewellWorld(
    {
      script: [
        write('src/farewell.js', 'export const farewell = () => "bye";\n'),
        () => {
          cancel.abort();
          return say('Still thinking…', { delayMs: 120_000 });
        },
      ],
    },
    'Please.',
  );
  const [run] = await w.run('workflow_dispatch', w.dispatchEvent({ issue: String(issue) }, 'mona'), {
    signal: cancel.signal,
    ...runner,
  });
  return { w, issue, run };
}
