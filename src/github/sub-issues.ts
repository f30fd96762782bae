// GitHub's native sub-issues and issue dependencies ("blocked by"), which epics are built on
// (DESIGN "Triage and routing"). Both routes take the other issue's database `id`, not its number,
// so each call looks the id up first.
import type { Octokit, Repo } from './client.js';

export async function issueId(octokit: Octokit, repo: Repo, issue: number): Promise<number> {
  const { data } = await octokit.rest.issues.get({ ...repo, issue_number: issue });
  return data.id;
}

/** Makes `child` a sub-issue of `parent` (`POST …/issues/{parent}/sub_issues`). */
export async function addSubIssue(
  octokit: Octokit,
  repo: Repo,
  parent: number,
  child: number,
): Promise<void> {
  const subIssueId = await issueId(octokit, repo, child);
  await octokit.rest.issues.addSubIssue({ ...repo, issue_number: parent, sub_issue_id: subIssueId });
}

/** Records that `issue` is blocked by `blocker` (`POST …/issues/{issue}/dependencies/blocked_by`). */
export async function addBlockedBy(
  octokit: Octokit,
  repo: Repo,
  issue: number,
  blocker: number,
): Promise<void> {
  const blockerId = await issueId(octokit, repo, blocker);
  await octokit.rest.issues.addBlockedByDependency({ ...repo, issue_number: issue, issue_id: blockerId });
}

/** The numbers of `parent`'s sub-issues, in GitHub's order. */
export async function subIssuesOf(octokit: Octokit, repo: Repo, parent: number): Promise<number[]> {
  const list = await octokit.paginate(octokit.rest.issues.listSubIssues, {
    ...repo,
    issue_number: parent,
    per_page: 100,
  });
  return list.map((i) => i.number);
}

/** The issues blocking `issue`, with their state: an open blocker means `issue` must not start. */
export async function blockersOf(
  octokit: Octokit,
  repo: Repo,
  issue: number,
): Promise<Array<{ number: number; open: boolean }>> {
  const list = await octokit.paginate(octokit.rest.issues.listDependenciesBlockedBy, {
    ...repo,
    issue_number: issue,
    per_page: 100,
  });
  return list.map((i) => ({ number: i.number, open: i.state === 'open' }));
}
