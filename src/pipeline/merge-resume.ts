// `/pilot resume`: a maintainer closes the merge autopilot's circuit breaker. The resume is a ledger
// record sealed with pilot-state-key (merge-ledger.ts): only one Pilot wrote counts, and Pilot writes
// it only for a sender with maintain or admin permission, checked here against GitHub (never a name
// in the comment). The gate's token may write refs (`contents: write`, for its dispatches).

import { levelOf } from '../auth/authorize.js';
import type { ReplyIntent } from '../events/intent.js';
import type { Outcome } from '../report/outputs.js';
import type { Deps } from './deps.js';
import { appendLedger, autopilotRecord } from './merge-ledger.js';
import { postReply } from './reply.js';

const MAINTAINERS = new Set(['maintain', 'admin']);

export async function resumeMerging(deps: Deps, intent: ReplyIntent): Promise<Outcome> {
  const { login } = intent.sender;
  const level = levelOf(await deps.lookup(login));
  if (!MAINTAINERS.has(level)) {
    await postReply(
      deps,
      intent.issue,
      `Only a maintainer (maintain or admin permission) can resume the merge autopilot; @${login} has ${level}. Merging stays paused.`,
    );
    return { conclusion: 'skipped' };
  }
  const recorded = await appendLedger(deps, [
    autopilotRecord(deps, 'resumed', { issue: intent.issue, by: login }),
  ]);
  await postReply(
    deps,
    intent.issue,
    recorded
      ? `Merge autopilot resumed by @${login}: the circuit breaker counts failures from now on; the next sweep retries waiting merges.`
      : 'Pilot could not record the resume in the ledger (see the run log); merging stays paused. Try again.',
  );
  return { conclusion: recorded ? 'success' : 'failure' };
}
