// Repository routes: the repository itself, collaborator permission, repository_dispatch.
import { ApiError, type Route, requireString } from '../http.js';
import { legacyPermission, permissionsFor, repoJson, userJson } from '../shapes.js';
import { repoOf } from './lookup.js';

/** GitHub caps `client_payload` at 10 top-level properties (documented on the dispatches route). */
const MAX_CLIENT_PAYLOAD_KEYS = 10;

export const repoRoutes: Route[] = [
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}',
    handler: (ctx) => ({ status: 200, body: repoJson(ctx.state, repoOf(ctx), ctx.caller.user) }),
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/collaborators/{username}/permission',
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const user = ctx.state.users.get(ctx.params.username);
      const role = user ? ctx.state.role(repo, user.login) : undefined;
      if (!user || !role) throw new ApiError(404, `${ctx.params.username} is not a user`);
      const roleName = role === 'none' ? 'none' : role;
      return {
        status: 200,
        body: {
          permission: legacyPermission(role),
          role_name: roleName,
          user: { ...userJson(ctx.state, user), permissions: permissionsFor(role), role_name: roleName },
        },
      };
    },
  },
  {
    method: 'POST',
    path: '/repos/{owner}/{repo}/dispatches',
    handler: (ctx) => {
      const repo = repoOf(ctx);
      const eventType = requireString(ctx.body, 'event_type', 'RepositoryDispatch');
      const payload = ctx.body.client_payload ?? {};
      if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
        throw new ApiError(422, "Invalid request.\n\nFor 'properties/client_payload', it is not an object.");
      }
      const keys = Object.keys(payload).length;
      if (keys > MAX_CLIENT_PAYLOAD_KEYS) {
        throw new ApiError(
          422,
          `Invalid request.\n\nNo more than ${MAX_CLIENT_PAYLOAD_KEYS} properties are allowed; ${keys} were supplied.`,
        );
      }
      ctx.state.recordDispatch({
        owner: repo.owner.login,
        repo: repo.name,
        event_type: eventType,
        client_payload: payload as Record<string, unknown>,
        fromRunId: ctx.caller.runId,
        sender: ctx.caller.user,
      });
      return { status: 204 };
    },
  },
];
