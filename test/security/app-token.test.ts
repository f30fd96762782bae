// GitHub App tokens against the emulator: the JWT's signature is checked with the App's public key,
// the installation is found for the repository, tokens act as `<slug>[bot]`, and a token is re-minted
// once it is 50 minutes old (they live an hour and cannot be refreshed).
import { generateKeyPairSync } from 'node:crypto';
import { getOctokit } from '@actions/github';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AppTokenError,
  appPermissionsFor,
  appTokenProvider,
  authStrategyFor,
  givenToken,
  REMINT_AFTER_MS,
  tokenProviderFor,
} from '../../src/github/app-token.js';
import { createOctokit } from '../../src/github/client.js';
import { type GitHubEmulator, startGitHub } from '../world/github/index.js';

const repo = { owner: 'octo-org', repo: 'sample' };
let gh: GitHubEmulator;
const savedApiUrl = process.env.GITHUB_API_URL;

function keyPair() {
  return generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
}
const app = keyPair();
const other = keyPair();

beforeAll(async () => {
  gh = await startGitHub();
  gh.addRepo({ ...repo, ownerType: 'Organization' });
  gh.addRepo({ owner: 'elsewhere', repo: 'x' });
  gh.addApp({ id: 4242, slug: 'pilot-app', publicKey: app.publicKey, installedOn: ['octo-org'] });
  // Installed with more than Pilot uses: the minted token must still carry only Pilot's own.
  gh.addApp({
    id: 5151,
    slug: 'broad-app',
    publicKey: app.publicKey,
    installedOn: ['octo-org'],
    permissions: { ...BROAD, administration: 'write', secrets: 'write', workflows: 'write' } as never,
  });
  gh.addApp({
    id: 6161,
    slug: 'narrow-app',
    publicKey: app.publicKey,
    installedOn: ['octo-org'],
    permissions: { contents: 'write', issues: 'write', metadata: 'read' },
  });
  process.env.GITHUB_API_URL = gh.url;
});

afterAll(async () => {
  if (savedApiUrl === undefined) delete process.env.GITHUB_API_URL;
  else process.env.GITHUB_API_URL = savedApiUrl;
  await gh.close();
});

const octokitFor = (token: string) => getOctokit(token, { baseUrl: gh.url });
const BROAD = {
  contents: 'write',
  issues: 'write',
  pull_requests: 'write',
  actions: 'write',
  checks: 'write',
  metadata: 'read',
} as const;
const PILOT_USES = {
  contents: 'write',
  issues: 'write',
  pull_requests: 'write',
  actions: 'write',
  checks: 'read',
  metadata: 'read',
};

describe('App token permissions', () => {
  it('asks only for the permissions Pilot uses, whatever the installation was granted', async () => {
    const tokens = await tokenProviderFor({ appId: '5151', appPrivateKey: app.privateKey }, repo, {
      octokitFor,
    });
    const token = await tokens.token();
    const minted = gh.mintedTokens().find((m) => m.token === token);
    expect(minted?.permissions).toEqual(PILOT_USES);
  });

  it('adds workflows: write only when protected-paths allows a workflow file', async () => {
    expect(appPermissionsFor(['infra/**'])).toEqual(PILOT_USES);
    expect(appPermissionsFor(['!.github/workflows/lint.yml'])).toEqual({ ...PILOT_USES, workflows: 'write' });
    const tokens = await tokenProviderFor(
      { appId: '5151', appPrivateKey: app.privateKey, protectedPaths: ['!.github/workflows/**'] },
      repo,
      { octokitFor },
    );
    const token = await tokens.token();
    const minted = gh.mintedTokens().find((m) => m.token === token);
    expect(minted?.permissions).toEqual({ ...PILOT_USES, workflows: 'write' });
  });

  it('says which permissions to grant when the installation lacks one', async () => {
    await expect(
      tokenProviderFor({ appId: '6161', appPrivateKey: app.privateKey }, repo, { octokitFor }),
    ).rejects.toThrow(
      /lacks a permission Pilot needs.*grant contents, issues, pull_requests, actions, checks/,
    );
  });
});

describe('App installation tokens', () => {
  it('mints a token that writes as the App bot', async () => {
    const tokens = await tokenProviderFor(
      { appId: '4242', appPrivateKey: app.privateKey, githubToken: gh.token },
      repo,
      { octokitFor },
    );
    expect(tokens.kind).toBe('app');
    const token = await tokens.token();
    expect(token).toMatch(/^ghs_/);
    const issue = gh.addIssue(repo.owner, repo.repo, { title: 't', user: 'mona' });
    const { data } = await octokitFor(token).rest.issues.createComment({
      ...repo,
      issue_number: issue,
      body: 'hi',
    });
    expect(data.user?.login).toBe('pilot-app[bot]');
  });

  it('is refused when the JWT is signed with another key', async () => {
    const minted = gh.mintedTokens().length;
    await expect(
      tokenProviderFor({ appId: '4242', appPrivateKey: other.privateKey }, repo, { octokitFor }),
    ).rejects.toThrow(/did not accept the App JWT/);
    expect(gh.mintedTokens()).toHaveLength(minted);
  });

  it('says so when the App is not installed on the repository', async () => {
    const error = await tokenProviderFor(
      { appId: '4242', appPrivateKey: app.privateKey },
      { owner: 'elsewhere', repo: 'x' },
      { octokitFor },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppTokenError);
    expect((error as Error).message).toContain('not installed');
  });

  it('keeps a token for 50 minutes, then mints a fresh one before the next request', async () => {
    let now = 1_000_000;
    const tokens = appTokenProvider({
      appId: '4242',
      privateKey: app.privateKey,
      repo,
      octokitFor,
      now: () => now,
    });
    const before = gh.mintedTokens().length;
    const first = await tokens.token();
    now += REMINT_AFTER_MS - 1;
    expect(await tokens.token()).toBe(first);
    expect(gh.mintedTokens().length - before).toBe(1);
    now += 1;
    const second = await tokens.token();
    expect(second).not.toBe(first);
    expect(gh.mintedTokens().length - before).toBe(2);
  });

  it("Pilot's Octokit asks the provider on every request, so late writes use the fresh token", async () => {
    let now = 5_000_000;
    const tokens = appTokenProvider({
      appId: '4242',
      privateKey: app.privateKey,
      repo,
      octokitFor,
      now: () => now,
    });
    const octokit = createOctokit(await tokens.token(), authStrategyFor(tokens));
    const issue = gh.addIssue(repo.owner, repo.repo, { title: 't', user: 'mona' });
    const count = () => gh.mintedTokens().length;
    const before = count();
    await octokit.rest.issues.createComment({ ...repo, issue_number: issue, body: 'early' });
    expect(count()).toBe(before);
    now += REMINT_AFTER_MS;
    const { data } = await octokit.rest.issues.createComment({ ...repo, issue_number: issue, body: 'late' });
    expect(count()).toBe(before + 1);
    expect(data.user?.login).toBe('pilot-app[bot]');
  });

  it('shares one mint between parallel requests', async () => {
    const tokens = appTokenProvider({ appId: '4242', privateKey: app.privateKey, repo, octokitFor });
    const before = gh.mintedTokens().length;
    const got = await Promise.all([tokens.token(), tokens.token(), tokens.token()]);
    expect(new Set(got).size).toBe(1);
    expect(gh.mintedTokens().length - before).toBe(1);
  });

  it('uses the given token as is without an App', async () => {
    const tokens = await tokenProviderFor({ githubToken: 'ghs_given' }, repo);
    expect(tokens.kind).toBe('given');
    expect(await tokens.token()).toBe('ghs_given');
    expect(await givenToken('x').token()).toBe('x');
    await expect(tokenProviderFor({}, repo)).rejects.toThrow(/github-token is empty/);
  });
});
