// The reusable workflow's split: `route` then `run` as two processes, the run step's `with:` evaluated
// from .github/workflows/pilot.yml exactly as written, must give the same PR as the single-job path.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { PILOT_ACTION } from '../workflows/load.js';
import { OWNER, REPO, ROOT, signedPayload, startWorld, WORLD_STATE_KEY, type World } from '../world/index.js';
import { CLAUDE_BIN, say, write } from '../world/model/index.js';
import { repositoryDispatchPayload } from '../world/runner.js';

type Step = { id?: string; uses?: string; with?: Record<string, string | number> };
const workflow = parse(readFileSync(path.join(ROOT, '.github/workflows/pilot.yml'), 'utf8'));
const callInputs: Record<string, { default?: unknown }> = workflow.on.workflow_call.inputs;

function pilotStep(job: string): Step {
  const step = (workflow.jobs[job].steps as Step[]).find((s) => s.uses?.startsWith(`${PILOT_ACTION}@`));
  if (!step?.with) throw new Error(`job ${job} has no Pilot step`);
  return step;
}

/** Evaluates the few expression forms the workflow uses in `with:`; anything else fails the test. */
function evaluate(
  value: string | number,
  ctx: { outputs: Record<string, string>; secrets: Record<string, string> },
) {
  const text = String(value);
  const m = /^\$\{\{\s*(.+?)\s*\}\}$/.exec(text);
  if (!m) return text;
  const [expr, fallback] = m[1].split(/\s*\|\|\s*/);
  let v: unknown;
  if (expr.startsWith('needs.route.outputs.')) v = ctx.outputs[expr.slice('needs.route.outputs.'.length)];
  else if (expr.startsWith('inputs.')) v = callInputs[expr.slice('inputs.'.length)]?.default;
  else if (expr.startsWith('secrets.')) v = ctx.secrets[expr.slice('secrets.'.length)];
  else throw new Error(`unexpected expression ${text}`);
  if ((v === 0 || v === '' || v === undefined) && fallback !== undefined) v = fallback.replace(/^'|'$/g, '');
  return v === undefined ? '' : String(v);
}

function withOf(job: string, outputs: Record<string, string>, secrets: Record<string, string>) {
  return Object.fromEntries(
    Object.entries(pilotStep(job).with ?? {}).map(([k, v]) => [k, evaluate(v, { outputs, secrets })]),
  );
}

const SCRIPT = [
  write('src/farewell.js', 'export const farewell = () => "bye";\n'),
  say('Added src/farewell.js.'),
];
const worlds: World[] = [];
afterEach(async () => {
  await Promise.all(worlds.splice(0).map((w) => w.close()));
});

async function seeded(): Promise<{ w: World; issue: number }> {
  const w = await startWorld({ script: SCRIPT });
  worlds.push(w);
  w.gh.setPermission(OWNER, REPO, 'mona', 'write');
  const issue = w.gh.addIssue(OWNER, REPO, {
    title: 'Add a farewell helper',
    body: 'Please add farewell().',
    user: 'mona',
  });
  return { w, issue };
}

describe('route then run, wired like .github/workflows/pilot.yml', () => {
  it('routes a small issue to the default runner and the run job opens the same PR as the single-job path', async () => {
    const single = await seeded();
    await single.w.run('issues', single.w.labelEvent(single.issue, 'pilot', 'mona'));
    const expected = single.w.gh.pulls(OWNER, REPO)[0];

    const { w, issue } = await seeded();
    const mona = w.gh.addUser('mona');
    // The run re-checks what the dispatch says: mona added the label.
    w.gh.addLabel(OWNER, REPO, issue, 'pilot', 'mona');
    const dispatch = repositoryDispatchPayload({
      owner: OWNER,
      repo: REPO,
      event_type: 'pilot',
      // The gate's dispatch carries Pilot's authentication tag.
      client_payload: signedPayload({
        issue,
        command: 'run',
        sender: { login: 'mona', id: mona.id, type: 'User' },
        source: 'label',
      }),
    });
    const secrets = { 'anthropic-api-key': 'unused-here', 'pilot-state-key': WORLD_STATE_KEY };
    const [routed] = await w.run('repository_dispatch', dispatch, { inputs: withOf('route', {}, secrets) });
    expect(routed.exitCode, routed.log).toBe(0);
    expect(routed.outputs['should-run']).toBe('true');
    expect(JSON.parse(routed.outputs.runner)).toEqual(['ubuntu-latest']);
    expect(Number(routed.outputs['timeout-minutes'])).toBeGreaterThan(10);
    expect(JSON.parse(routed.outputs.intent)).toMatchObject({
      issue,
      command: 'run',
      sender: { login: 'mona' },
    });
    expect(w.model.requests).toHaveLength(0);

    // The run job's `with:` straight from the workflow file; the model endpoint is the world's.
    const runWith = withOf('run', routed.outputs, secrets);
    const local = {
      'anthropic-base-url': w.model.url,
      'anthropic-api-key': 'sk-ant-test',
      'claude-path': CLAUDE_BIN,
    };
    const [ran] = await w.run('repository_dispatch', dispatch, { inputs: { ...runWith, ...local } });
    expect(ran.exitCode, ran.log).toBe(0);
    const pulls = w.gh.pulls(OWNER, REPO);
    expect(pulls).toHaveLength(1);
    expect({ title: pulls[0].title, head: pulls[0].head.ref, body: pulls[0].body }).toEqual({
      title: expected.title,
      head: expected.head.ref,
      body: expected.body,
    });
    expect(await w.git.show(pulls[0].head.ref, 'src/farewell.js')).toBe(
      await single.w.git.show(expected.head.ref, 'src/farewell.js'),
    );
  });

  it('routes an issue labelled size/xl to ubuntu-latest without runners.long, to the long-job runner with it', async () => {
    const { w, issue } = await seeded();
    w.gh.addLabel(OWNER, REPO, issue, 'size/xl', 'mona');
    const mona = w.gh.addUser('mona');
    const dispatch = repositoryDispatchPayload({
      owner: OWNER,
      repo: REPO,
      event_type: 'pilot',
      client_payload: signedPayload({
        issue,
        command: 'run',
        sender: { login: 'mona', id: mona.id, type: 'User' },
      }),
    });
    const secrets = { 'pilot-state-key': WORLD_STATE_KEY };
    const [hosted] = await w.run('repository_dispatch', dispatch, { inputs: withOf('route', {}, secrets) });
    expect(JSON.parse(hosted.outputs.runner)).toEqual(['ubuntu-latest']);
    expect(hosted.summary).toContain('runners.long, which is not configured');
    const longInputs = { ...withOf('route', {}, secrets), 'runners-long': '["self-hosted", "pilot"]' };
    const [routed] = await w.run('repository_dispatch', dispatch, { inputs: longInputs });
    expect(JSON.parse(routed.outputs.runner)).toEqual(['self-hosted', 'pilot']);
    expect(Number(routed.outputs['timeout-minutes'])).toBeGreaterThanOrEqual(120);
    expect(routed.summary).toContain('epic');
  });
});
