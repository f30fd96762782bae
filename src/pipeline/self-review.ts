// Self-review (issue 18 item 3): one tool-less Messages API call through the run's model gateway, so it
// is metered and capped like the agent, with the issue and the final diff; the answer is parsed with zod.
import { z } from 'zod';
import type { AgentLaunch } from '../agent/isolation/index.js';
import { messageOf } from '../errors.js';
import type { Git } from '../git/git.js';
import { SELF_REVIEW_SYSTEM, selfReviewPrompt } from '../prompt/quality.js';
import { capText } from '../prompt/sanitize.js';
import type { SelfReview, Verdict } from '../report/gate-words.js';
import { redact } from '../security/redact.js';

/** The diff the reviewer reads is bounded: the request stays small and cheap. */
export const MAX_DIFF_CHARS = 60_000;

const Answer = z.looseObject({
  content: z.array(z.looseObject({ type: z.string(), text: z.string().optional() })),
});

const Items = z.array(z.string().max(2000)).max(20).default([]);
const VerdictJson = z.object({ addresses_issue: z.boolean(), risks: Items, untested: Items });

/** The verdict in the model's text: the outermost JSON object, checked field by field. */
export function parseVerdict(text: string): Verdict | string {
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  if (start < 0 || end <= start) return 'the answer held no JSON object';
  let json: unknown;
  try {
    json = JSON.parse(text.slice(start, end + 1));
  } catch (error) {
    return `the answer's JSON did not parse (${messageOf(error)})`;
  }
  const parsed = VerdictJson.safeParse(json);
  if (!parsed.success)
    return `the answer did not have the expected fields (${z.prettifyError(parsed.error)})`;
  const { addresses_issue, risks, untested } = parsed.data;
  return { addressesIssue: addresses_issue, risks, untested };
}

/**
 * What the agent changed against the base: tracked changes, plus new files through git (a symlink is
 * shown as its target's name, never followed: the agent could point one at Pilot's secrets).
 */
export async function finalDiff(git: Git, base: string): Promise<string> {
  const tracked = await git.run(['diff', '--no-color', '--no-ext-diff', base, '--'], { allowFail: true });
  const untracked = await git.run(['ls-files', '--others', '--exclude-standard', '-z'], { allowFail: true });
  const parts = [tracked.stdout];
  for (const file of untracked.stdout.split('\0').filter(Boolean).slice(0, 200)) {
    const shown = await git.run(['diff', '--no-color', '--no-index', '--', '/dev/null', file], {
      allowFail: true,
    });
    parts.push(shown.stdout);
  }
  return capText(redact(parts.join('\n')), MAX_DIFF_CHARS, 'diff');
}

export interface ReviewRequest {
  gateway: NonNullable<AgentLaunch['gateway']>;
  model: string;
  issue: { title: string; body: string };
  diff: string;
  nonce: string;
}

async function ask(req: ReviewRequest): Promise<string> {
  const response = await fetch(`${req.gateway.url}/v1/messages`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-api-key': req.gateway.agentKey,
      'anthropic-version': '2023-06-01',
    },
    body: JSON.stringify({
      model: req.model,
      max_tokens: 2048,
      system: SELF_REVIEW_SYSTEM,
      messages: [{ role: 'user', content: selfReviewPrompt(req.issue, req.diff, req.nonce) }],
    }),
    signal: AbortSignal.timeout(180_000),
  });
  const body: unknown = await response.json().catch(() => undefined);
  if (!response.ok) {
    const error = z.looseObject({ error: z.looseObject({ message: z.string() }) }).safeParse(body);
    throw new Error(
      `the model answered ${response.status}${error.success ? `: ${error.data.error.message}` : ''}`,
    );
  }
  const answer = Answer.safeParse(body);
  if (!answer.success) throw new Error('the model’s answer was not a Messages API response');
  return answer.data.content.map((block) => block.text ?? '').join('\n');
}

/** One call; its cost is what the gateway metered for it. Never throws: trouble becomes the note. */
export async function selfReview(req: ReviewRequest): Promise<{ review: SelfReview; costUsd: number }> {
  const before = req.gateway.spentUsd();
  let review: SelfReview;
  try {
    const verdict = parseVerdict(await ask(req));
    review = typeof verdict === 'string' ? { note: verdict, resumed: false } : { verdict, resumed: false };
  } catch (error) {
    review = { note: redact(messageOf(error)), resumed: false };
  }
  return { review, costUsd: Math.max(0, req.gateway.spentUsd() - before) };
}
