// Which token Pilot writes with, end to end: with the workflow's GITHUB_TOKEN the tracking comment
// says what that means for CI; with app-id + app-private-key Pilot mints its own installation tokens
// (the emulator checks the JWT's signature) and every write is the App's.
import { generateKeyPairSync } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { OWNER, REPO, startWorld, type World, type WorldOptions } from '../world/index.js';
import { say, write } from '../world/model/index.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const SCRIPT = [write('src/farewell.js', 'export const farewell = () => "bye";\n'), say('Added farewell.')];

async function setup(opts: WorldOptions = {}) {
  world = await startWorld({ script: SCRIPT, ...opts });
  world.gh.setPermission(OWNER, REPO, 'mona', 'write');
  const issue = world.gh.addIssue(OWNER, REPO, {
    title: 'Add a farewell helper',
    body: 'Please.',
    user: 'mona',
  });
  return { w: world, issue };
}

describe('tokens', () => {
  it('with GITHUB_TOKEN, the tracking comment says CI waits for approval and how to switch to an App', async () => {
    const { w, issue } = await setup();
    const runs = await w.run('issues', w.labelEvent(issue, 'pilot', 'mona'));
    expect(runs.at(-1)?.exitCode).toBe(0);
    const tracking = w.pilotComments(issue)[0].body;
    expect(tracking).toContain("wait for a maintainer's approval");
    expect(tracking).toContain('`app-id`');
    expect(tracking.match(/CI note/g)).toHaveLength(1);
  });

  it('with an App, Pilot mints installation tokens and writes as the App', async () => {
    const keys = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    const { w, issue } = await setup({
      inputs: { 'app-id': '4242', 'app-private-key': keys.privateKey, 'bot-login': 'pilot-app[bot]' },
    });
    w.gh.addApp({ id: 4242, slug: 'pilot-app', publicKey: keys.publicKey, installedOn: [OWNER] });

    const runs = await w.run('issues', w.labelEvent(issue, 'pilot', 'mona'));
    expect(runs.at(-1)?.exitCode, runs.at(-1)?.log).toBe(0);

    const [pull] = w.gh.pulls(OWNER, REPO);
    expect(pull.user.login).toBe('pilot-app[bot]');
    const comments = w.gh.comments(OWNER, REPO, issue);
    expect(comments.map((c) => c.user.login)).toEqual(['pilot-app[bot]']);
    expect(comments[0].body).not.toContain('CI note');
    expect(w.gh.mintedTokens().length).toBeGreaterThanOrEqual(2); // the gate run and the work run
    const minted = w.gh.mintedTokens().map((m) => m.token);
    for (const run of runs) for (const token of minted) expect(run.log).not.toContain(token);
    expect(runs.every((r) => !r.log.includes('BEGIN PRIVATE KEY'))).toBe(true);
  });
});
