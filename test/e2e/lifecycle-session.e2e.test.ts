// Sessions through the whole flow: run 1 saves its transcript (encrypted) to the real @actions/cache
// against the cache emulator; `/pilot retry` restores it and the real claude CLI resumes it.
import { afterEach, describe, expect, it } from 'vitest';
import { OWNER, REPO, startWorld, type World } from '../world/index.js';
import { type RecordedRequest, say, write } from '../world/model/index.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

async function setup() {
  world = await startWorld({
    script: [
      write('src/farewell.js', 'export const farewell = () => "bye";\n'),
      say('Added src/farewell.js.'),
      say('Checked again: all good.'),
    ],
  });
  world.gh.setPermission(OWNER, REPO, 'mona', 'write');
  const issue = world.gh.addIssue(OWNER, REPO, {
    title: 'Add a farewell helper',
    body: 'Please add farewell().',
    user: 'mona',
  });
  return { w: world, issue };
}

const messagesOf = (req: RecordedRequest | undefined) => JSON.stringify(req?.body?.messages ?? []);
const tracking = (w: World, issue: number) =>
  w.pilotComments(issue).find((c) => c.body.includes('pilot:task'))?.body ?? '';

describe('sessions across runs', () => {
  it('`/pilot retry` resumes run 1: its first model request carries run 1 turns, same session id', async () => {
    const { w, issue } = await setup();
    const first = (await w.run('issues', w.labelEvent(issue, 'pilot', 'mona'))).at(-1);
    expect(first?.exitCode, first?.log).toBe(0);
    const sessionId = first?.outputs['session-id'];
    expect(sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(w.cache.listEntries().map((e) => e.key)).toContain(`pilot-v1-session-${issue}-${first?.runId}-1`);
    expect(tracking(w, issue)).toMatch(/"sessionHash":"[0-9a-f]{64}"/);

    const before = w.model.agentRequests().length;
    const runs = await w.run('issue_comment', w.commentEvent(issue, '/pilot retry and say hi', 'mona'));
    const second = runs.at(-1);
    expect(second?.exitCode, second?.log).toBe(0);
    const firstOfRun2 = w.model.agentRequests()[before];
    expect(messagesOf(firstOfRun2)).toContain('Added src/farewell.js.');
    expect(messagesOf(firstOfRun2)).toContain('continuing your earlier session');
    expect(messagesOf(firstOfRun2)).toContain('say hi');
    expect(second?.outputs['session-id']).toBe(sessionId);
    expect(tracking(w, issue)).toContain('Resumed the agent session');
  });

  it('an edited issue body starts a fresh session and says why', async () => {
    const { w, issue } = await setup();
    const first = (await w.run('issues', w.labelEvent(issue, 'pilot', 'mona'))).at(-1);
    expect(first?.exitCode, first?.log).toBe(0);
    w.gh.issue(OWNER, REPO, issue).body = 'Actually, add a greeting helper instead.';

    const before = w.model.agentRequests().length;
    const second = (await w.run('issue_comment', w.commentEvent(issue, '/pilot retry', 'mona'))).at(-1);
    expect(second?.exitCode, second?.log).toBe(0);
    expect(second?.outputs['session-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(second?.outputs['session-id']).not.toBe(first?.outputs['session-id']);
    expect(messagesOf(w.model.agentRequests()[before])).not.toContain('Added src/farewell.js.');
    expect(tracking(w, issue)).toContain('the issue description was edited');
  });
});
