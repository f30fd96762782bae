// Every text Pilot publishes passes redact(): held secret values and token shapes become ***, and
// the Octokit Pilot uses redacts every write on its own, whichever call site sends it.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { knownSecrets, redact, registerSecret, resetSecrets } from '../../src/security/redact.js';
import { type GitHubEmulator, startGitHub } from '../world/github/index.js';

const SECRET = 'held-secret-Zx81Qw0Lp';
let gh: GitHubEmulator;
const savedApiUrl = process.env.GITHUB_API_URL;

beforeAll(async () => {
  gh = await startGitHub();
  gh.addRepo({ owner: 'o', repo: 'r' });
  process.env.GITHUB_API_URL = gh.url;
});

afterAll(async () => {
  if (savedApiUrl === undefined) delete process.env.GITHUB_API_URL;
  else process.env.GITHUB_API_URL = savedApiUrl;
  await gh.close();
});

afterEach(() => resetSecrets());

describe('redact', () => {
  it('masks a registered value and its x-access-token basic-auth form', () => {
    registerSecret(SECRET);
    const basic = Buffer.from(`x-access-token:${SECRET}`).toString('base64');
    expect(redact(`a ${SECRET} b ${basic}`)).toBe('a *** b ***');
    expect(knownSecrets()).toEqual([SECRET, basic]);
  });

  it('masks each line of a multi-line secret on its own, so a key leaked one line at a time is still hidden', () => {
    // A PEM-like value whose lines match none of PATTERNS: only the registration can catch them.
    const lines = ['first-line-Qm81ZxLp0a', 'second-line-Yt62WcKo9b', 'x'];
    registerSecret(lines.join('\n'));
    expect(redact(`leak: ${lines[1]} and ${lines[0]}`)).toBe('leak: *** and ***');
    expect(redact('x marks the spot')).toBe('x marks the spot');
  });

  it('ignores values too short to be secrets', () => {
    registerSecret('abc');
    expect(redact('abc')).toBe('abc');
  });

  it.each([
    `ghp_${'a'.repeat(36)}`,
    `github_pat_${'B'.repeat(40)}`,
    'sk-ant-api03-abcdefghijkl',
    'AKIAIOSFODNN7EXAMPLE',
    '-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----',
  ])('masks the token shape %#', (value) => {
    expect(redact(`x ${value} y`)).toBe('x *** y');
  });
});

describe("Pilot's Octokit", () => {
  it('redacts comment bodies on their way out, on create and on edit', async () => {
    registerSecret(SECRET);
    // @actions/github reads GITHUB_API_URL when it loads: import it after pointing that at the emulator.
    const { createOctokit } = await import('../../src/github/client.js');
    const octokit = createOctokit(gh.token);
    const issue = gh.addIssue('o', 'r', { title: 't', user: 'mona' });
    const { data } = await octokit.rest.issues.createComment({
      owner: 'o',
      repo: 'r',
      issue_number: issue,
      body: `The agent said: ${SECRET} and ghp_${'z'.repeat(36)}`,
    });
    expect(data.body).toBe('The agent said: *** and ***');
    await octokit.rest.issues.updateComment({
      owner: 'o',
      repo: 'r',
      comment_id: data.id,
      body: `${SECRET}!`,
    });
    expect(gh.comment(data.id).body).toBe('***!');
  });
});
