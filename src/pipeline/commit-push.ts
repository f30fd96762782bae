// Pilot's commit and push of the agent's work: git, the outgoing checks (security/) and GitHub's
// refusal wording (github/) together, so that git/ itself knows neither (docs/architecture.md).
import { BranchRefused, type Identity, isIssueBranch } from '../git/branch.js';
import { type Git, GitError } from '../git/git.js';
import { repositoryPaths, stagedRepositoryPaths } from '../git/nested.js';
import { explainGitHubError } from '../report/github-errors.js';
import { checkOutgoing, PushRefused } from '../security/outgoing.js';
import type { ProtectionRules } from '../security/protected-paths.js';

/**
 * Commits exactly the given paths; returns the new commit's SHA, or null when nothing is staged.
 * Throws PushRefused, staging nothing, when a path is or holds repository metadata (a nested
 * repository, a `.git` component): checked on disk first, then in the index as git staged it.
 */
export async function commitPaths(
  git: Git,
  paths: string[],
  message: string,
  identity: Identity,
): Promise<string | null> {
  if (paths.length === 0) return null;
  const onDisk = repositoryPaths(git.cwd, paths);
  if (onDisk.length) throw new PushRefused([], [], onDisk);
  await git.run(['add', '--all', '--', ...paths]);
  const inIndex = await stagedRepositoryPaths(git);
  if (inIndex.length) {
    await git.run(['reset', '--quiet'], { allowFail: true });
    throw new PushRefused([], [], inIndex);
  }
  const staged = await git.run(['diff', '--cached', '--quiet'], { allowFail: true });
  if (staged.code === 0) return null;
  await git.run([
    '-c',
    `user.name=${identity.name}`,
    '-c',
    `user.email=${identity.email}`,
    'commit',
    '--no-verify',
    '-m',
    message,
  ]);
  return (await git.run(['rev-parse', 'HEAD'])).stdout.trim();
}

export interface PushOptions {
  branch: string;
  /** The issue this run works on: the branch must be one of its own. */
  issue: number;
  auth: Record<string, string>;
  rules?: ProtectionRules;
}

export async function push(git: Git, opts: PushOptions): Promise<void> {
  const { branch, auth, rules } = opts;
  if (!isIssueBranch(branch, opts.issue)) throw new BranchRefused(branch, opts.issue);
  // Nothing leaves the runner unchecked: protected paths and secrets refuse the whole push.
  await checkOutgoing(git, rules);
  try {
    await git.run(['push', 'origin', `HEAD:refs/heads/${branch}`], { env: auth });
  } catch (error) {
    const explained = explainGitHubError(error); // rulesets, archived repositories
    if (explained) throw new Error(explained);
    if (error instanceof GitError && /rejected|protected|rule/i.test(error.result.stderr)) {
      throw new Error(
        `GitHub refused the push to ${branch}: ${error.result.stderr.trim().split('\n').slice(-2).join(' ')}. ` +
          'Check branch protection rules or rulesets that cover pilot/* branches.',
      );
    }
    throw error;
  }
}
