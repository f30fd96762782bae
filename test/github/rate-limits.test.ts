// GitHub's rate limits through the kept plugins (throttling + retry) and Pilot's reserve on top: real
// Octokit against the GitHub emulator. GitHub's waits are scaled from seconds to milliseconds
// (`msPerSecond: 1`) so nothing really waits.
import { afterEach, describe, expect, it } from 'vitest';
import { createOctokit } from '../../src/github/client.js';
import { type LimitPolicy, writePacing } from '../../src/github/rate-limits.js';
import { isWrite, WriteReserve } from '../../src/github/reserve.js';
import { type GitHubEmulator, startGitHub } from '../world/github/index.js';

const OWNER = 'octo-org';
const REPO = 'sample';
const SECONDARY = 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.';

let gh: GitHubEmulator | undefined;
afterEach(async () => {
  await gh?.close();
  gh = undefined;
  delete process.env.GITHUB_API_URL;
});

async function setup(policy: Partial<LimitPolicy> = {}) {
  gh = await startGitHub();
  gh.addRepo({ owner: OWNER, repo: REPO, ownerType: 'Organization' });
  const issue = gh.addIssue(OWNER, REPO, { title: 'T', body: 'B', user: 'mona' });
  const warnings: string[] = [];
  const reserve = policy.reserve ?? new WriteReserve();
  process.env.GITHUB_API_URL = gh.url;
  const octokit = createOctokit(gh.token, undefined, {
    maxRetries: 3,
    maxWaitSeconds: 900,
    msPerSecond: 1,
    warn: (m) => void warnings.push(m),
    ...policy,
    reserve,
    pacing: policy.pacing ?? writePacing(),
  });
  const attempts = (method: string, path: RegExp) =>
    (gh as GitHubEmulator).requests().filter((r) => r.method === method && path.test(r.path)).length;
  return { octokit, issue, emulator: gh, warnings, reserve, attempts };
}

const comment = (octokit: Awaited<ReturnType<typeof setup>>['octokit'], issue: number, body: string) =>
  octokit.rest.issues.createComment({ owner: OWNER, repo: REPO, issue_number: issue, body });

describe('rate-limit answers', () => {
  it('waits as long as retry-after says on a secondary limit, says so, then succeeds', async () => {
    const { octokit, issue, emulator, warnings, attempts } = await setup();
    emulator.injectFault({
      method: 'POST',
      path: /comments$/,
      status: 403,
      headers: { 'retry-after': '42' },
    });
    const { data } = await comment(octokit, issue, 'hi');
    expect(data.body).toBe('hi');
    expect(emulator.comments(OWNER, REPO, issue)).toHaveLength(1);
    expect(attempts('POST', /comments$/)).toBe(2);
    expect(warnings).toEqual([
      "GitHub's secondary rate limit on POST /repos/{owner}/{repo}/issues/{issue_number}/comments: waiting 42 s as GitHub asks, then retrying (1 of 3)",
    ]);
  });

  it('waits until x-ratelimit-reset when the primary budget is spent', async () => {
    const { octokit, warnings } = await setup();
    const reset = Math.floor(Date.now() / 1000) + 300;
    (gh as GitHubEmulator).injectFault({
      method: 'GET',
      path: /\/repos\/octo-org\/sample$/,
      status: 403,
      body: { message: 'API rate limit exceeded for installation ID 1.' },
      headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) },
    });
    const { data } = await octokit.rest.repos.get({ owner: OWNER, repo: REPO });
    expect(data.name).toBe(REPO);
    // Until the reset plus a second, counted from when the answer came (a second may have passed).
    expect(warnings).toEqual([
      expect.stringMatching(/^GitHub's primary rate limit on GET .*: waiting 30[01] s/),
    ]);
  });

  it("gives up with GitHub's answer after a bounded number of retries, and says so", async () => {
    const { octokit, issue, emulator, warnings, attempts } = await setup({ maxRetries: 2 });
    emulator.injectFault({
      method: 'POST',
      path: /comments$/,
      status: 429,
      body: { message: SECONDARY },
      headers: { 'retry-after': '1' },
      times: 10,
    });
    await expect(comment(octokit, issue, 'x')).rejects.toMatchObject({ status: 429 });
    // Three attempts: the first and two retries; plugin-retry adds none of its own to a 429.
    expect(attempts('POST', /comments$/)).toBe(3);
    expect(warnings).toHaveLength(3);
    expect(warnings[2]).toMatch(/refused POST \S+ again after 2 retries: giving up with GitHub's answer/);
  });

  it('does not retry ordinary refusals', async () => {
    const { octokit, issue, emulator, warnings, attempts } = await setup();
    await expect(
      octokit.rest.issues.get({ owner: OWNER, repo: REPO, issue_number: 999 }),
    ).rejects.toMatchObject({ status: 404 });
    emulator.injectFault({
      method: 'POST',
      path: /comments$/,
      status: 403,
      body: { message: 'Unable to create comment because issue is locked.' },
    });
    await expect(comment(octokit, issue, 'x')).rejects.toMatchObject({ status: 403 });
    expect(attempts('GET', /\/issues\/999$/)).toBe(1);
    expect(attempts('POST', /comments$/)).toBe(1);
    expect(warnings).toEqual([]);
  });

  it('retries a server error a few times with a growing pause, then gives up', async () => {
    const { octokit, issue, emulator, attempts } = await setup();
    emulator.injectFault({ method: 'GET', path: /\/issues\/\d+$/, status: 502, times: 2 });
    const { data } = await octokit.rest.issues.get({ owner: OWNER, repo: REPO, issue_number: issue });
    expect(data.title).toBe('T');
    expect(attempts('GET', /\/issues\/\d+$/)).toBe(3);
    emulator.injectFault({ method: 'GET', path: /\/repos\/octo-org\/sample$/, status: 503, times: 10 });
    await expect(octokit.rest.repos.get({ owner: OWNER, repo: REPO })).rejects.toMatchObject({ status: 503 });
    expect(attempts('GET', /\/repos\/octo-org\/sample$/)).toBe(4);
  });
});

describe('answers meant to stall Pilot', () => {
  it('refuses to wait longer than a job can afford: a retry-after of a day fails at once', async () => {
    const { octokit, issue, emulator, warnings, attempts } = await setup({ maxWaitSeconds: 900 });
    emulator.injectFault({
      method: 'POST',
      path: /comments$/,
      status: 403,
      headers: { 'retry-after': '86400' },
      times: 10,
    });
    const started = performance.now();
    await expect(comment(octokit, issue, 'x')).rejects.toMatchObject({ status: 403 });
    // 86,400 "seconds" would be 86 s even at the test's scale: it did not wait them.
    expect(performance.now() - started).toBeLessThan(30_000);
    expect(attempts('POST', /comments$/)).toBe(1);
    expect(warnings).toEqual([
      expect.stringContaining('asks for a 86400 s wait, longer than Pilot waits (900 s)'),
    ]);
  });

  it('never puts a token or a request body into its warnings', async () => {
    const { octokit, issue, emulator, warnings } = await setup();
    emulator.injectFault({ method: 'POST', path: /comments$/, status: 403, headers: { 'retry-after': '1' } });
    await comment(octokit, issue, 'the body ghp_notarealtokenbutlookslikeone');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).not.toContain((gh as GitHubEmulator).token);
    expect(warnings[0]).not.toContain('ghp_');
    expect(warnings[0]).not.toContain(`/${issue}/`);
  });
});

describe("write pacing (plugin-throttling with Pilot's queues)", () => {
  it('holds a write beyond the budget until the next window', async () => {
    const { octokit, issue, emulator } = await setup({ pacing: writePacing(2, 500) });
    const started = performance.now();
    await Promise.all([0, 1, 2].map((i) => comment(octokit, issue, `c${i}`)));
    // A lower bound: the third write waited for the window (not a speed target).
    expect(performance.now() - started).toBeGreaterThanOrEqual(450);
    expect(emulator.comments(OWNER, REPO, issue)).toHaveLength(3);
  });
});

describe('the reserve for final writes', () => {
  /** Time moves only when told to. */
  function clock(start = Date.parse('2026-11-01T00:00:00Z')) {
    let t = start;
    return {
      now: () => t,
      advance: (ms: number) => {
        t += ms;
      },
    };
  }

  it('stops optional writes while only the reserve is left, and frees them as the minute passes', () => {
    const c = clock();
    const reserve = new WriteReserve({ now: c.now, writesPerMinute: 10, writesPerHour: 500, reserve: 3 });
    const results: boolean[] = [];
    for (let i = 0; i < 10; i++) {
      results.push(reserve.allowOptionalWrite());
      if (results.at(-1)) reserve.noteRequest({ method: 'PATCH', url: '/x' });
    }
    expect(results.filter(Boolean)).toHaveLength(7);
    expect(reserve.remainingWrites()).toBe(3);
    c.advance(60_001);
    expect(reserve.allowOptionalWrite()).toBe(true);
  });

  it('counts the hourly budget too, and reads do not count', () => {
    const c = clock();
    const reserve = new WriteReserve({ now: c.now, writesPerMinute: 80, writesPerHour: 30, reserve: 5 });
    for (let i = 0; i < 25; i++) {
      reserve.noteRequest({ method: 'POST', url: '/repos/o/r/issues/1/comments' });
      reserve.noteRequest({ method: 'GET', url: '/repos/o/r' });
      c.advance(60_000);
    }
    expect(reserve.remainingWrites()).toBe(5);
    expect(reserve.allowOptionalWrite()).toBe(false);
  });

  it('holds optional writes back while GitHub makes Pilot wait', () => {
    const c = clock();
    const reserve = new WriteReserve({ now: c.now });
    reserve.pause(60_000);
    expect(reserve.allowOptionalWrite()).toBe(false);
    c.advance(60_000);
    expect(reserve.allowOptionalWrite()).toBe(true);
  });

  it('stops optional writes when GitHub reports the primary budget nearly spent, but a final write still goes', async () => {
    const reserve = new WriteReserve({ reserve: 20 });
    const { octokit, issue, emulator } = await setup({ reserve });
    expect(reserve.allowOptionalWrite()).toBe(true);
    // A real answer that reports only 5 requests left this hour.
    emulator.injectFault({
      method: 'GET',
      path: /\/issues\/\d+$/,
      status: 200,
      body: { number: issue, title: 'T' },
      headers: { 'x-ratelimit-remaining': '5' },
    });
    await octokit.rest.issues.get({ owner: OWNER, repo: REPO, issue_number: issue });
    expect(reserve.remainingWrites()).toBe(5);
    expect(reserve.allowOptionalWrite()).toBe(false);
    // The reserve only answers for optional writes: the final one is sent.
    await comment(octokit, issue, 'final');
    expect(emulator.comments(OWNER, REPO, issue).map((c) => c.body)).toEqual(['final']);
  });

  it('counts GraphQL mutations as writes and queries as reads', () => {
    expect(isWrite({ method: 'POST', url: '/graphql', query: 'mutation { x }' })).toBe(true);
    expect(isWrite({ method: 'POST', url: '/graphql', query: 'query { x }' })).toBe(false);
    expect(isWrite({ method: 'DELETE', url: '/repos/o/r/git/refs/x' })).toBe(true);
  });
});
