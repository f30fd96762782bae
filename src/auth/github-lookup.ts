// PermissionLookup against GitHub: `GET /repos/{owner}/{repo}/collaborators/{username}/permission`.
// Reads `user.permissions` only; the top-level `permission` field is legacy and lies (maintain → write,
// triage → read). https://docs.github.com/rest/collaborators/collaborators#get-repository-permissions-for-a-user
import { type Octokit, statusOf } from '../github/client.js';
import type { PermissionLookup, UserPermissions } from './authorize.js';

interface PermissionFlags {
  admin?: boolean;
  maintain?: boolean;
  push?: boolean;
  triage?: boolean;
  pull?: boolean;
}

function toPermissions(flags: PermissionFlags): UserPermissions {
  return {
    admin: flags.admin === true,
    maintain: flags.maintain === true,
    push: flags.push === true,
    triage: flags.triage === true,
    pull: flags.pull === true,
  };
}

export function githubPermissionLookup(octokit: Octokit, owner: string, repo: string): PermissionLookup {
  return async (username) => {
    try {
      const { data } = await octokit.rest.repos.getCollaboratorPermissionLevel({ owner, repo, username });
      const flags = data.user?.permissions;
      return flags ? toPermissions(flags) : null;
    } catch (error) {
      // 404: not a collaborator (or no such user); 403: the token may not see them. Both mean none.
      const status = statusOf(error);
      if (status === 404 || status === 403) return null;
      throw error;
    }
  };
}
