// Where Pilot runs, and the refusals it explains instead of dumping a stack trace.
import { describe, expect, it } from 'vitest';
import { GitError } from '../../src/git/git.js';
import { platformOf, UnsupportedPlatform } from '../../src/github/platform.js';
import { explainGitHubError, failureMessage } from '../../src/report/github-errors.js';

function apiError(
  status: number,
  message: string,
  method = 'POST',
  url = 'https://api.github.com/repos/o/r/x',
) {
  return Object.assign(new Error(message), {
    status,
    response: { data: { message } },
    request: { method, url },
  });
}

describe('platformOf', () => {
  it.each([
    ['https://github.com', 'github.com'],
    ['https://octo.ghe.com', 'ghe.com'],
    ['http://github.localhost:3000', 'local'],
    ['http://127.0.0.1:8080', 'local'],
  ])('accepts %s', (url, kind) => {
    expect(platformOf(url)).toBe(kind);
  });

  it.each([
    'https://github.example.com',
    'https://git.corp.internal',
    'https://ghe.com.evil.example',
    'not a url',
  ])('refuses GHES-like %s with the reason', (url) => {
    expect(() => platformOf(url)).toThrow(UnsupportedPlatform);
    expect(() => platformOf(url)).toThrow(/GitHub Enterprise Server.*cache service v2.*queue: max/s);
  });
});

describe('explainGitHubError', () => {
  it('explains a locked conversation', () => {
    expect(explainGitHubError(apiError(403, 'Unable to create comment because issue is locked.'))).toMatch(
      /conversation is locked/,
    );
  });

  it('explains an archived repository, from the API and from git', () => {
    expect(explainGitHubError(apiError(403, 'Repository was archived so is read-only.'))).toMatch(/archived/);
    const git = new GitError(['push'], {
      code: 128,
      stdout: '',
      stderr:
        'ERROR: This repository was archived so it is read-only.\nfatal: Could not read from remote repository.',
    });
    expect(explainGitHubError(git)).toMatch(/repository is archived/);
  });

  it('names the request a missing workflow permission refused', () => {
    const error = apiError(
      403,
      'Resource not accessible by integration',
      'POST',
      'https://api.github.com/repos/o/r/dispatches',
    );
    expect(explainGitHubError(error)).toContain('(POST /repos/o/r/dispatches)');
  });

  it('explains a ruleset rejecting the push, quoting the rule', () => {
    const git = new GitError(['push'], {
      code: 1,
      stdout: '',
      stderr: [
        'remote: error: GH013: Repository rule violations found for refs/heads/pilot/issue-1-x.',
        'remote: - Commits must have verified signatures.',
        ' ! [remote rejected] HEAD -> pilot/issue-1-x (push declined due to repository rule violations)',
      ].join('\n'),
    });
    const text = explainGitHubError(git) ?? '';
    expect(text).toContain('ruleset');
    expect(text).toContain('Commits must have verified signatures.');
  });

  it('leaves other errors to their own message', () => {
    expect(explainGitHubError(apiError(500, 'Server Error'))).toBeUndefined();
    expect(failureMessage(new Error('boom'))).toBe('boom');
  });
});
