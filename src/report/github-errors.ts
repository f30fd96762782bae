// What GitHub's refusals mean, in words a maintainer can act on: the one place the wording lives, used
// by every step that reports a failure (log, summary, tracking comment).
import { messageOf } from '../errors.js';
import { GitError } from '../git/git.js';
import { statusOf } from '../github/client.js';

function remoteMessageOf(error: unknown): string {
  if (error instanceof GitError) return error.result.stderr;
  const data = (error as { response?: { data?: { message?: unknown } } })?.response?.data;
  if (typeof data?.message === 'string') return data.message;
  return messageOf(error);
}

/**
 * A plain-words explanation for the refusals a maintainer can fix (locked conversation, archived
 * repository, missing workflow permission, rulesets/branch protection on the push), or undefined.
 */
export function explainGitHubError(error: unknown): string | undefined {
  const status = statusOf(error);
  const text = remoteMessageOf(error);
  if (/archived/i.test(text))
    return 'The repository is archived, so it is read-only: Pilot cannot comment, push or open pull requests. Unarchive it to use Pilot.';
  if (status === 403 && /locked/i.test(text))
    return 'The conversation is locked, so Pilot cannot comment on it. Unlock the conversation (or give Pilot an identity allowed to comment on locked conversations) and try again.';
  if (status === 403 && /not accessible by integration/i.test(text)) {
    const request = (error as { request?: { method?: string; url?: string } }).request;
    const what =
      request?.method && request.url ? ` (${request.method} ${new URL(request.url).pathname})` : '';
    return `The workflow token lacks a permission Pilot needs${what}. Add it under \`permissions:\` in the workflow (see the README's permissions table).`;
  }
  if (
    error instanceof GitError &&
    /GH0\d\d|rule violations|protected branch|signed|verified signatures/i.test(text)
  ) {
    const detail = text
      .split('\n')
      .map((l) => l.replace(/^remote:\s*/, '').trim())
      .filter((l) => /^-\s|rule|signature|protected/i.test(l))
      .slice(0, 4)
      .join(' ');
    return `GitHub refused the push (a ruleset or branch protection covers Pilot's branch): ${detail}. Exempt \`pilot/*\` branches or give Pilot a bypass, then run again.`;
  }
  return undefined;
}

/** The one-line reason a run failed: the plain explanation when there is one, else the error's message. */
export function failureMessage(error: unknown): string {
  return explainGitHubError(error) ?? messageOf(error);
}
