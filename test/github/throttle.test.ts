// The one throttle for every GitHub call: real Octokit against the GitHub emulator, a fake clock so
// nothing really waits.
import * as github from '@actions/github';
import { afterEach, describe, expect, it } from 'vitest';
import { type Clock, installThrottle, isWrite, Throttle } from '../../src/github/throttle.js';
import { type GitHubEmulator, startGitHub } from '../world/github/index.js';

const OWNER = 'octo-org';
const REPO = 'sample';

/** Time moves only when someone sleeps. */
function fakeClock(start = Date.parse('2026-11-01T00:00:00Z')): Clock & { slept: number[] } {
  let now = start;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
  };
}

let gh: GitHubEmulator | undefined;
afterEach(async () => {
  await gh?.close();
  gh = undefined;
});

async function setup(throttle: Throttle) {
  gh = await startGitHub();
  gh.addRepo({ owner: OWNER, repo: REPO, ownerType: 'Organization' });
  const issue = gh.addIssue(OWNER, REPO, { title: 'T', body: 'B', user: 'mona' });
  const octokit = installThrottle(
    github.getOctokit(gh.token, { baseUrl: gh.url, retry: { enabled: false } }),
    throttle,
  );
  return { octokit, issue, emulator: gh };
}

describe('rate-limit answers', () => {
  it('waits as long as retry-after says, then succeeds', async () => {
    const clock = fakeClock();
    const { octokit, issue, emulator } = await setup(new Throttle({ clock }));
    emulator.injectFault({
      method: 'POST',
      path: /comments$/,
      status: 403,
      headers: { 'retry-after': '42' },
    });
    const { data } = await octokit.rest.issues.createComment({
      owner: OWNER,
      repo: REPO,
      issue_number: issue,
      body: 'hi',
    });
    expect(data.body).toBe('hi');
    expect(clock.slept).toEqual([42_000]);
    expect(emulator.comments(OWNER, REPO, issue)).toHaveLength(1);
  });

  it('waits until x-ratelimit-reset when the primary budget is spent', async () => {
    const clock = fakeClock();
    const reset = Math.floor(clock.now() / 1000) + 300;
    const { octokit, emulator } = await setup(new Throttle({ clock }));
    emulator.injectFault({
      method: 'GET',
      path: /\/repos\/octo-org\/sample$/,
      status: 403,
      headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) },
    });
    await octokit.rest.repos.get({ owner: OWNER, repo: REPO });
    expect(clock.slept).toEqual([301_000]);
  });

  it('gives up with GitHub error after the retries, and does not retry ordinary errors', async () => {
    const clock = fakeClock();
    const { octokit, issue, emulator } = await setup(new Throttle({ clock, maxRetries: 2 }));
    emulator.injectFault({
      method: 'POST',
      path: /comments$/,
      status: 429,
      headers: { 'retry-after': '1' },
      times: 5,
    });
    await expect(
      octokit.rest.issues.createComment({ owner: OWNER, repo: REPO, issue_number: issue, body: 'x' }),
    ).rejects.toMatchObject({ status: 429 });
    expect(clock.slept).toEqual([1000, 1000]);
    await expect(
      octokit.rest.issues.get({ owner: OWNER, repo: REPO, issue_number: 999 }),
    ).rejects.toMatchObject({
      status: 404,
    });
    expect(clock.slept).toHaveLength(2);
  });
});

describe('write budgets', () => {
  it('spaces content-creating requests at 80 a minute; reads are not counted', async () => {
    const clock = fakeClock();
    const { octokit, issue, emulator } = await setup(new Throttle({ clock }));
    for (let i = 0; i < 85; i++)
      await octokit.rest.issues.createComment({
        owner: OWNER,
        repo: REPO,
        issue_number: issue,
        body: `c${i}`,
      });
    for (let i = 0; i < 20; i++)
      await octokit.rest.issues.get({ owner: OWNER, repo: REPO, issue_number: issue });
    expect(emulator.comments(OWNER, REPO, issue)).toHaveLength(85);
    expect(clock.slept.length).toBe(1);
    expect(clock.slept[0]).toBeLessThanOrEqual(60_000);
    expect(clock.slept[0]).toBeGreaterThan(0);
  });

  it('keeps a reserve: optional (progress) writes stop before the final writes would have to wait', () => {
    const clock = fakeClock();
    const throttle = new Throttle({ clock, writesPerMinute: 10, writesPerHour: 500, reserve: 3 });
    const send = () => Promise.resolve({ headers: {} });
    const results: boolean[] = [];
    return (async () => {
      for (let i = 0; i < 10; i++) {
        results.push(throttle.allowOptionalWrite());
        if (results.at(-1)) await throttle.run({ method: 'PATCH', url: '/x' }, send);
      }
      expect(results.filter(Boolean)).toHaveLength(7);
      expect(throttle.remainingWrites()).toBe(3);
      await throttle.run({ method: 'POST', url: '/final' }, send);
      expect(clock.slept).toEqual([]);
    })();
  });

  it('counts GraphQL mutations as writes and queries as reads', () => {
    expect(isWrite({ method: 'POST', url: '/graphql', query: 'mutation { x }' })).toBe(true);
    expect(isWrite({ method: 'POST', url: '/graphql', query: 'query { x }' })).toBe(false);
    expect(isWrite({ method: 'DELETE', url: '/repos/o/r/git/refs/x' })).toBe(true);
  });
});
