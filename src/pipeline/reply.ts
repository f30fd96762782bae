// Pilot's one way to answer on an issue (gate and work run alike): redacted, and marked as Pilot's own
// so the reply never reads as a command.
import { REPLY_MARKER } from '../constants.js';
import { redact } from '../security/redact.js';
import type { Deps } from './deps.js';

export async function postReply(deps: Deps, issue: number, text: string): Promise<void> {
  await deps.octokit.rest.issues.createComment({
    ...deps.ctx.repo,
    issue_number: issue,
    body: `${redact(text)}\n\n${REPLY_MARKER}`,
  });
}
