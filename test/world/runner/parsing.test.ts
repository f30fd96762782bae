import { describe, expect, it } from 'vitest';
import { evaluateDefault, evaluatePostIf, inputEnvName } from './action-yml.js';
import { cacheModeFor, headBranchFor, refFor } from './context.js';
import { repositoryDispatchPayload } from './dispatch.js';
import { maskSecrets, parseKeyValueFile, parsePathFile, parseWorkflowCommands } from './file-commands.js';

describe('file commands', () => {
  it('reads name=value and heredoc entries, later values winning', () => {
    const text = 'a=1\nb<<EOF\nline one\nx=not a key\nEOF\nc=has=equals\na=2\n';
    expect(parseKeyValueFile(text, 'GITHUB_OUTPUT')).toEqual({
      a: '2',
      b: 'line one\nx=not a key',
      c: 'has=equals',
    });
  });

  it('treats `=` before `<<` as a plain value', () => {
    expect(parseKeyValueFile('a=b<<c\n', 'GITHUB_ENV')).toEqual({ a: 'b<<c' });
  });

  it('refuses a heredoc without its closing delimiter, naming the file', () => {
    expect(() => parseKeyValueFile('a<<EOF\nvalue\n', 'GITHUB_STATE')).toThrow(/GITHUB_STATE: no closing/);
  });

  it('refuses a line that is neither form', () => {
    expect(() => parseKeyValueFile('just text\n', 'GITHUB_OUTPUT')).toThrow(/invalid line/);
  });

  it('reads GITHUB_PATH one directory a line', () => {
    expect(parsePathFile('/a/bin\n\n/b/bin\n')).toEqual(['/a/bin', '/b/bin']);
  });
});

describe('workflow commands', () => {
  it('turns ::error/::warning/::notice into annotations with unescaped text and properties', () => {
    const out = parseWorkflowCommands(
      [
        'plain line',
        '::error file=src/a.ts,line=3,title=Bad%3A thing::broke%0Ahere 100%25',
        '  ::warning::indented',
        '::notice title=T::n',
        '::debug::ignored',
      ].join('\n'),
    );
    expect(out.annotations).toEqual([
      { level: 'error', message: 'broke\nhere 100%', title: 'Bad: thing', file: 'src/a.ts', line: 3 },
      { level: 'warning', message: 'indented' },
      { level: 'notice', message: 'n', title: 'T' },
    ]);
  });

  it('collects ::add-mask:: values and masks them in text', () => {
    const { masks } = parseWorkflowCommands('::add-mask::s3cret\n');
    expect(masks).toEqual(['s3cret']);
    expect(maskSecrets('key=s3cret and s3cret2', masks)).toBe('key=*** and ***2');
  });
});

describe('action.yml evaluation', () => {
  it('names input variables like the runner', () => {
    expect(inputEnvName('github-token')).toBe('INPUT_GITHUB-TOKEN');
    expect(inputEnvName('who am i')).toBe('INPUT_WHO_AM_I');
  });

  it('evaluates github.* in defaults and leaves other expressions as text', () => {
    const github = { token: 'T', repository: 'o/r' };
    expect(evaluateDefault('${{ github.token }}', github)).toBe('T');
    expect(evaluateDefault('${{github.repository}}/x', github)).toBe('o/r/x');
    expect(evaluateDefault('${{ runner.temp }}', github)).toBe('${{ runner.temp }}');
  });

  it('evaluates post-if status functions', () => {
    const failed = { failed: true, cancelled: false };
    const cancelled = { failed: false, cancelled: true };
    expect(evaluatePostIf('always()', cancelled)).toBe(true);
    expect(evaluatePostIf('success()', failed)).toBe(false);
    expect(evaluatePostIf('${{ failure() }}', failed)).toBe(true);
    expect(evaluatePostIf('!cancelled()', cancelled)).toBe(false);
    expect(() => evaluatePostIf("github.event_name == 'push'", failed)).toThrow(/not supported/);
  });
});

describe('event context', () => {
  it('gives untrusted events a read-only cache and trusted ones a writable one', () => {
    for (const e of ['issues', 'issue_comment', 'pull_request_review', 'workflow_run']) {
      expect(cacheModeFor(e)).toBe('read');
    }
    for (const e of ['repository_dispatch', 'workflow_dispatch', 'schedule', 'push']) {
      expect(cacheModeFor(e)).toBe('write');
    }
  });

  it('derives GITHUB_REF and the head branch from the event', () => {
    const review = { pull_request: { number: 9, head: { ref: 'pilot/issue-9' } } };
    expect(refFor('pull_request_review', review, 'main')).toBe('refs/pull/9/merge');
    expect(headBranchFor('pull_request_review', review, 'refs/pull/9/merge')).toBe('pilot/issue-9');
    expect(refFor('issue_comment', {}, 'trunk')).toBe('refs/heads/trunk');
    expect(refFor('push', { ref: 'refs/heads/dev' }, 'main')).toBe('refs/heads/dev');
    expect(refFor('workflow_dispatch', { ref: 'feature' }, 'main')).toBe('refs/heads/feature');
    expect(refFor('schedule', {}, 'main')).toBe('refs/heads/main');
  });
});

describe('repository_dispatch payload', () => {
  it("follows the webhook example's shape, pointed at the dispatching repository", () => {
    const payload = repositoryDispatchPayload(
      { owner: 'alice', repo: 'proj', event_type: 'pilot', client_payload: { issue: 4 } },
      { defaultBranch: 'trunk' },
    );
    expect(Object.keys(payload)).toEqual(['action', 'branch', 'client_payload', 'repository', 'sender']);
    expect(payload).toMatchObject({
      action: 'pilot',
      branch: 'trunk',
      client_payload: { issue: 4 },
      repository: {
        name: 'proj',
        full_name: 'alice/proj',
        html_url: 'https://github.com/alice/proj',
        url: 'https://api.github.com/repos/alice/proj',
        default_branch: 'trunk',
        owner: { login: 'alice' },
      },
      sender: { login: 'github-actions[bot]', id: 41898282, type: 'Bot' },
    });
    expect(JSON.stringify(payload)).not.toMatch(/octo-org|octo-repo/);
  });
});
