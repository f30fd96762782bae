// Reads the issue thread and marks who may direct the work (min-permission) and who is only context.

import { authorize } from '../auth/authorize.js';
import { MARKER_PREFIX, REPLY_MARKER } from '../constants.js';
import type { ThreadText } from '../prompt/build.js';
import type { Deps } from './deps.js';

type Author = { login: string; id: number; type: string };

/** The issue as the work run already read it (one `GET` per run). */
export interface IssueText {
  number: number;
  title: string;
  body: string;
  author: Author | null;
}

export interface IssueThread {
  number: number;
  title: string;
  body: ThreadText;
  comments: ThreadText[];
}

export async function readThread(deps: Deps, issue: IssueText, triggerTime: number): Promise<IssueThread> {
  const { octokit, ctx } = deps;
  const trust = new Map<string, boolean>();
  const trusted = async (actor: Author) => {
    // A bot in allow-bots may start Pilot, but its words are context, never instructions.
    if (!trust.has(actor.login))
      trust.set(
        actor.login,
        actor.type !== 'Bot' && (await authorize(actor, policyOf(deps), deps.lookup)).allowed,
      );
    return trust.get(actor.login) as boolean;
  };
  const raw = await octokit.paginate(octokit.rest.issues.listComments, {
    ...ctx.repo,
    issue_number: issue.number,
    per_page: 100,
  });
  const comments: ThreadText[] = [];
  for (const c of raw) {
    const body = c.body ?? '';
    // Pilot's own notes are not part of the task; comments edited after the trigger could be a bait-and-switch.
    if (body.includes(MARKER_PREFIX) || body.includes(REPLY_MARKER)) continue;
    if (Date.parse(c.updated_at) > triggerTime) continue;
    const user = c.user ?? { login: 'ghost', id: 0, type: 'User' };
    comments.push({ author: user.login, body, trusted: await trusted(user) });
  }
  const author = issue.author ?? { login: 'ghost', id: 0, type: 'User' };
  return {
    number: issue.number,
    title: issue.title,
    body: { author: author.login, body: issue.body, trusted: await trusted(author) },
    comments,
  };
}

export function policyOf(deps: Deps) {
  const c = deps.config;
  return {
    minPermission: c.minPermission,
    allowUsers: c.allowUsers,
    denyUsers: c.denyUsers,
    allowBots: c.allowBots,
    pilotLogin: c.botLogin,
  };
}
