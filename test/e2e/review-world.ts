// Review rounds in the local world: a `pull_request_review.submitted` payload (from
// @octokit/webhooks-examples, rewritten to the world's PR and the review the emulator stored) and a
// push to the task's branch by someone other than Pilot.
import { loadExamples, type Payload } from '../events/webhook-examples.js';
import * as shapes from '../world/github/shapes.js';
import { OWNER, REPO, type World } from '../world/index.js';

export interface LineInit {
  path: string;
  line: number;
  body: string;
  diffHunk?: string;
}

/** Stores a review with its line comments on PR `pr` and returns its `submitted` event. */
export function submitReview(
  w: World,
  pr: number,
  init: {
    user: string;
    state: 'CHANGES_REQUESTED' | 'COMMENTED' | 'APPROVED';
    body?: string;
    comments?: LineInit[];
  },
) {
  const stored = w.gh.addReview(OWNER, REPO, pr, init);
  const example = loadExamples().find(
    (e) => e.event === 'pull_request_review' && e.payload.action === 'submitted',
  );
  if (!example) throw new Error('no pull_request_review.submitted example in @octokit/webhooks-examples');
  const repo = w.gh.state.repo(OWNER, REPO);
  if (!repo) throw new Error('the world has no repository');
  const issue = w.gh.issue(OWNER, REPO, pr);
  const p: Payload = structuredClone(example.payload);
  p.repository = { ...p.repository, ...shapes.repoJson(w.gh.state, repo) };
  p.organization = undefined;
  p.installation = undefined;
  p.pull_request = { ...p.pull_request, ...shapes.pullJson(w.gh.state, repo, issue) };
  // Webhooks spell the state in lower case (`changes_requested`); the REST API in upper case.
  p.review = {
    ...p.review,
    ...shapes.reviewJson(w.gh.state, repo, issue, stored),
    state: init.state.toLowerCase(),
  };
  const user = w.gh.addUser(init.user);
  p.sender = { login: user.login, id: user.id, type: user.type, node_id: `U_${user.id}` };
  return { payload: p, review: stored };
}

/** Someone else pushes a commit on top of `branch` in origin (Pilot's last push is no longer the head). */
export async function pushForeignCommit(w: World, branch: string): Promise<string> {
  const at = { cwd: w.git.origin };
  const head = (await w.git.git(['rev-parse', `refs/heads/${branch}`], at.cwd)).trim();
  const tree = (await w.git.git(['rev-parse', `${head}^{tree}`], at.cwd)).trim();
  const commit = (
    await w.git.git(
      [
        '-c',
        'user.name=Mallory',
        '-c',
        'user.email=m@example.com',
        'commit-tree',
        tree,
        '-p',
        head,
        '-m',
        'sneaky',
      ],
      at.cwd,
    )
  ).trim();
  await w.git.git(['update-ref', `refs/heads/${branch}`, commit], at.cwd);
  return commit;
}
