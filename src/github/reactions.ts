import type { Octokit, Repo } from './client.js';

export type Reaction = 'eyes' | 'rocket' | 'confused' | '+1';

/** Reacts to the comment that triggered Pilot, or to the issue itself for label triggers. */
export async function react(
  octokit: Octokit,
  repo: Repo,
  target: { issue: number; commentId?: number },
  content: Reaction,
): Promise<string | undefined> {
  if (target.commentId) {
    const { data } = await octokit.rest.reactions.createForIssueComment({
      ...repo,
      comment_id: target.commentId,
      content,
    });
    return data.user?.login;
  }
  const { data } = await octokit.rest.reactions.createForIssue({
    ...repo,
    issue_number: target.issue,
    content,
  });
  return data.user?.login;
}
