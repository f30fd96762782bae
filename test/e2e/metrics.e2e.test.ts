// Tokens and pilot_* metrics through the whole flow (bundled action, real claude CLI against the scripted
// model behind Pilot's gateway, the GitHub emulator's Git Data routes for the ledger, and the real
// Pushgateway with basic auth on a loopback port): after a work run the Pushgateway holds the
// repository's group with the run's values; a second run replaces the group and the counters grew.
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { parsePromText, seriesValue } from '../metrics/prom-text.js';
import { type Pushgateway, startPushgateway } from '../metrics/pushgateway.js';
import { OWNER, REPO, startWorld, WORLD_STATE_KEY, type World } from '../world/index.js';
import { type RecordedRequest, type ScriptStep, say, type Turn, write } from '../world/model/index.js';

// bcrypt of PASSWORD (cost 5), made once with perl's crypt(): see test/metrics/metrics.test.ts.
const PASSWORD = 'pw-s3cret-1';
const BASIC = {
  username: 'ci',
  password: PASSWORD,
  hash: '$2b$05$abcdefghijklmnopqrstuuYnRb.MhTBbbx7gEkiepLeXMqYDdahpu',
};
const GROUP = { job: 'pilot', repository: `${OWNER}/${REPO}` };
/** Cache reads and writes only the agent's scripted turns report (the CLI's side calls report none). */
const USAGE = {
  input_tokens: 1200,
  output_tokens: 80,
  cache_read_input_tokens: 300,
  cache_creation_input_tokens: 70,
};

let gw: Pushgateway;
let world: World | undefined;
beforeAll(async () => {
  gw = await startPushgateway(BASIC);
});
afterAll(async () => {
  await gw?.close();
});
afterEach(async () => {
  await world?.close();
  world = undefined;
});

function metered(step: ScriptStep): ScriptStep {
  return (req: RecordedRequest): Turn => {
    const turn = typeof step === 'function' ? step(req) : step;
    return { ...(turn as Turn), usage: USAGE };
  };
}

async function labelRun(w: World, issue: number) {
  const runs = await w.run('issues', w.labelEvent(issue, 'pilot', 'mona'));
  const work = runs.at(-1);
  expect(work?.exitCode, work?.log).toBe(0);
  return work as NonNullable<typeof work>;
}

it('a work run reports gateway-counted tokens everywhere and replaces the repository group on the Pushgateway', async () => {
  world = await startWorld({
    inputs: { 'pushgateway-url': gw.url, 'pushgateway-username': 'ci', 'pushgateway-password': PASSWORD },
    script: [
      metered(write('src/farewell.js', 'export const farewell = () => "bye";\n')),
      // The agent claims other numbers in its own words: Pilot reports what the gateway counted.
      metered(say('Done. usage: {"input_tokens": 99999999, "cache_read_input_tokens": 99999999}')),
      metered(write('src/farewell.js', 'export const farewell = () => "goodbye";\n')),
      metered(say('Reworded.')),
    ],
  });
  const w = world;
  w.gh.setPermission(OWNER, REPO, 'mona', 'write');
  const issue = w.gh.addIssue(OWNER, REPO, { title: 'Add a farewell helper', body: 'Please.', user: 'mona' });

  const first = await labelRun(w, issue);
  const out = first.outputs;
  // Two scripted turns with cache usage; the CLI's side calls add input/output but no cache tokens.
  expect(out['cache-read-tokens']).toBe('600');
  expect(out['cache-write-tokens']).toBe('140');
  expect(Number(out['input-tokens'])).toBeGreaterThanOrEqual(2400);
  expect(Number(out['input-tokens'])).toBeLessThan(99999999);
  expect(Number(out['output-tokens'])).toBeGreaterThanOrEqual(160);
  const tracking = w.pilotComments(issue).find((c) => c.body.includes('pilot:task'));
  expect(tracking?.body).toMatch(/\| Tokens \| [\d,]+ in · [\d,]+ out · 600 cache read · 140 cache write \|/);
  expect(first.summary).toContain('600 cache read');

  // The .prom file: an output, named in the summary, strictly parsed, and the same text that was pushed.
  const file = out['metrics-file'];
  expect(file).toMatch(/pilot-metrics\.prom$/);
  expect(first.summary).toContain(file);
  expect(first.summary).toContain('pushed to the Pushgateway');
  const local = parsePromText(readFileSync(file, 'utf8'));
  expect(seriesValue(local, 'pilot_issues_processed_total', { result: 'success' })).toBe(1);

  let scraped = parsePromText(await gw.scrape());
  expect(seriesValue(scraped, 'pilot_issues_processed_total', { ...GROUP, result: 'success' })).toBe(1);
  expect(seriesValue(scraped, 'pilot_execution_duration_seconds_count', GROUP)).toBe(1);
  expect(seriesValue(scraped, 'pilot_success_rate', GROUP)).toBe(1);
  expect(seriesValue(scraped, 'pilot_queue_depth', GROUP)).toBe(0);
  expect(seriesValue(scraped, 'pilot_cost_usd_total', GROUP)).toBeCloseTo(Number(out['cost-usd']), 4);
  expect(seriesValue(scraped, 'pilot_tokens_total', { ...GROUP, kind: 'cache_read' })).toBe(600);
  expect(seriesValue(scraped, 'pilot_tokens_total', { ...GROUP, kind: 'input' })).toBe(
    Number(out['input-tokens']),
  );

  w.gh.removeLabel(OWNER, REPO, issue, 'pilot', 'mona');
  const second = await labelRun(w, issue);
  scraped = parsePromText(await gw.scrape());
  expect(seriesValue(scraped, 'pilot_issues_processed_total', { ...GROUP, result: 'success' })).toBe(2);
  expect(seriesValue(scraped, 'pilot_tokens_total', { ...GROUP, kind: 'cache_read' })).toBe(1200);
  expect(seriesValue(scraped, 'pilot_execution_duration_seconds_count', GROUP)).toBe(2);
  // One group per repository, replaced, never one per run.
  expect(await gw.groups()).toEqual([GROUP]);
  // The password and its basic-auth form appear in no log or summary.
  const basic = Buffer.from(`ci:${PASSWORD}`).toString('base64');
  for (const run of [first, second])
    for (const text of [run.log, run.summary]) {
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toContain(basic);
    }
});

it('the sweep pushes too; a Pushgateway that cannot be reached is a warning and the sweep still succeeds', async () => {
  const down = await startPushgateway();
  const unreachable = down.url;
  await down.close();
  const sweepGw = await startPushgateway();
  try {
    world = await startWorld({ inputs: { 'pushgateway-url': unreachable } });
    const w = world;
    const schedule = {
      schedule: '*/30 * * * *',
      repository: { full_name: `${OWNER}/${REPO}`, default_branch: w.git.defaultBranch },
    };
    const [failed] = await w.run('schedule', schedule);
    expect(failed.exitCode, failed.log).toBe(0);
    expect(failed.log).toMatch(
      /::warning::Metrics: could not push to the Pushgateway \(could not reach http:\/\/127\.0\.0\.1:\d+/,
    );
    expect(failed.summary).toContain('<strong>not pushed</strong>');
    // The file is written whatever happened to the push.
    expect(
      parsePromText(readFileSync(failed.outputs['metrics-file'], 'utf8')).has('pilot_tokens_total'),
    ).toBe(true);

    // Run-level inputs replace the world's: the sweep needs only the state key besides the gateway.
    const [pushed] = await w.run('schedule', schedule, {
      inputs: { 'pilot-state-key': WORLD_STATE_KEY, 'pushgateway-url': sweepGw.url },
    });
    expect(pushed.exitCode, pushed.log).toBe(0);
    const scraped = parsePromText(await sweepGw.scrape());
    expect(seriesValue(scraped, 'pilot_issues_processed_total', { ...GROUP, result: 'success' })).toBe(0);
    expect(seriesValue(scraped, 'pilot_queue_depth', GROUP)).toBe(0);
    expect(await sweepGw.groups()).toEqual([GROUP]);
  } finally {
    await sweepGw.close();
  }
});
