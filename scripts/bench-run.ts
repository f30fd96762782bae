// Whole-run overhead, label → pull request, through the world harness as the e2e tests run it: real
// dist/, real git against a bare origin, the GitHub and cache emulators, the real claude CLI against
// the scripted model. The gate run and the work run are timed separately (main step, and the whole
// run with its post step). The scripted model answers at once, so its own time is nil; what the work
// run spends between the agent's first and last model request is the agent's, not Pilot's, and
// "Pilot's share" is the work run's main step minus that span (it still holds the CLI's own start and
// exit, which the harness cannot tell apart from Pilot's). Prints figures; asserts nothing.
import { OWNER, REPO, startWorld } from '../test/world/index.js';
import { say, write } from '../test/world/model/index.js';
import { spread, spreadText } from './bench-stats.js';

const RUNS = 5;

interface Sample {
  gateMain: number;
  gateRun: number;
  workMain: number;
  workRun: number;
  agentSpan: number;
}

async function labelToPullRequest(): Promise<Sample> {
  const w = await startWorld({
    script: [write('src/farewell.js', 'export const farewell = () => "bye";\n'), say('Added it.')],
  });
  try {
    w.gh.setPermission(OWNER, REPO, 'mona', 'write');
    const issue = w.gh.addIssue(OWNER, REPO, {
      title: 'Add a farewell helper',
      body: 'Please.',
      user: 'mona',
    });
    const [gate, work, ...more] = await w.run('issues', w.labelEvent(issue, 'pilot', 'mona'));
    if (!work || more.length || work.exitCode !== 0 || w.gh.pulls(OWNER, REPO).length !== 1)
      throw new Error(`label → PR did not go as expected:\n${(work ?? gate).log.slice(-2000)}`);
    const asked = w.model.agentRequests().map((r) => r.at);
    return {
      gateMain: gate.main.durationMs,
      gateRun: gate.durationMs,
      workMain: work.main.durationMs,
      workRun: work.durationMs,
      agentSpan: asked.length ? Math.max(...asked) - Math.min(...asked) : 0,
    };
  } finally {
    await w.close();
  }
}

export async function benchRun(): Promise<void> {
  await labelToPullRequest(); // warm-up: file system caches, the CLI's first start
  const samples: Sample[] = [];
  for (let i = 0; i < RUNS; i++) samples.push(await labelToPullRequest());
  const line = (label: string, pick: (s: Sample) => number) =>
    console.log(`  ${label.padEnd(46)} ${spreadText(spread(samples.map(pick)), 's', 2)}`);
  const s = (ms: number) => ms / 1000;
  console.log(
    `Whole run, label → pull request with the scripted model (world harness, dist/; ${RUNS} runs):`,
  );
  line('gate run, main step', (x) => s(x.gateMain));
  line('gate run, with its post step', (x) => s(x.gateRun));
  line('work run, main step', (x) => s(x.workMain));
  line('work run, with its post step', (x) => s(x.workRun));
  line("agent's span (first to last model request)", (x) => s(x.agentSpan));
  line("Pilot's share of the work run (main − span)", (x) => s(x.workMain - x.agentSpan));
  line('overhead, gate + work − span', (x) => s(x.gateRun + x.workRun - x.agentSpan));
}

if (import.meta.url === `file://${process.argv[1]}`) await benchRun();
