// `/pilot help` (issue 18 item 1): the commands and the effective configuration, each value with where
// it came from (input, file, default), answered by the gate; no secret reaches the reply.
import { afterEach, describe, expect, it } from 'vitest';
import { OWNER, REPO, startWorld, WORLD_STATE_KEY, type World } from '../world/index.js';
import { FAKE_API_KEY } from '../world/model/index.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe('/pilot help', () => {
  it('lists the effective configuration with each value’s source, secrets only as set', async () => {
    world = await startWorld({
      files: { '.github/pilot.yml': 'max-cost-usd: 3\n' },
      inputs: { 'trigger-label': 'autopilot-me' },
    });
    const w = world;
    w.gh.setPermission(OWNER, REPO, 'mona', 'write');
    const issue = w.gh.addIssue(OWNER, REPO, { title: 'Help?', body: 'What can you do?', user: 'mona' });
    const runs = await w.run('issue_comment', w.commentEvent(issue, '/pilot help', 'mona'));
    expect(runs).toHaveLength(1);
    expect(w.gh.dispatches()).toHaveLength(0);
    const reply = w.pilotComments(issue).at(-1)?.body ?? '';
    expect(reply).toContain('/pilot fix');
    expect(reply).toContain('| `trigger-label` | `autopilot-me` | input |');
    expect(reply).toMatch(/\| `max-cost-usd` \| `3` \| file \(\.github\/pilot\.yml\) \|/);
    expect(reply).toMatch(/\| `max-review-rounds` \| `\d+` \| default \|/);
    expect(reply).toContain('| `anthropic-api-key` | `set` | input |');
    for (const secret of [FAKE_API_KEY, WORLD_STATE_KEY, w.gh.token]) expect(reply).not.toContain(secret);
  });
});
