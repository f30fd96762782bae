// `/pilot remember <lesson>`, `/pilot memory`, `/pilot forget <id>` (docs/memory.md). Listing is a
// read, so the gate answers it; remembering and forgetting write the ledger, which only trusted runs
// do, so the gate checks who asks and dispatches, and the work run checks again and writes. Only a
// maintainer (maintain or admin) may change what every later prompt carries: write access is not
// enough, since a learning steers the agent on every task, not one.
import * as core from '@actions/core';
import { levelOf } from '../auth/authorize.js';
import { COMMAND_PREFIX, DISPATCH_EVENT_TYPE } from '../constants.js';
import { toDispatchPayload } from '../events/dispatch.js';
import type { Actor, IssueIntent, WorkIntent } from '../events/intent.js';
import { appendRecords } from '../ledger/append.js';
import { type Learning, newLearningId, readMemory, sealForget, sealLearning } from '../ledger/memory.js';
import { LearningId } from '../ledger/records.js';
import { pathsNamed } from '../prompt/memory.js';
import { cleanText } from '../prompt/sanitize.js';
import { failureMessage } from '../report/github-errors.js';
import type { Outcome } from '../report/outputs.js';
import { redact } from '../security/redact.js';
import { type Deps, dispatchSigner } from './deps.js';
import { postReply } from './reply.js';

export type MemoryIntent = WorkIntent & { command: 'remember' | 'forget' };

export function isMemoryCommand(intent: WorkIntent): intent is MemoryIntent {
  return intent.command === 'remember' || intent.command === 'forget';
}

const MAX_TEXT = 1000;

/** Null when `who` may change Pilot's memory, else the reason (for the reply). */
export async function memoryRefusal(deps: Deps, who: Actor): Promise<string | null> {
  const level = who.type === 'User' ? levelOf(await deps.lookup(who.login)) : 'none';
  if (level === 'maintain' || level === 'admin') return null;
  return (
    `@${who.login} cannot change Pilot's memory: it takes the maintain or admin role on this ` +
    `repository (you have ${level === 'none' ? 'no role' : level}), because every later task's prompt carries it.`
  );
}

/** The gate's part: refuse a non-maintainer with a reply, else hand the write to a trusted run. */
export async function dispatchMemory(deps: Deps, intent: MemoryIntent): Promise<Outcome> {
  const refusal = await memoryRefusal(deps, intent.sender);
  if (refusal) {
    core.info(`Pilot refuses ${COMMAND_PREFIX} ${intent.command}: ${refusal}`);
    await postReply(deps, intent.issue, refusal);
    return { conclusion: 'skipped' };
  }
  await deps.octokit.rest.repos.createDispatchEvent({
    ...deps.ctx.repo,
    event_type: DISPATCH_EVENT_TYPE,
    client_payload: toDispatchPayload(intent, deps.ctx.runId, dispatchSigner(deps)),
  });
  core.info(`Dispatched '${intent.command}' for #${intent.issue} to a trusted run`);
  return { conclusion: 'success' };
}

/** The work run's part: checked again (the role may have changed), then written to the ledger. */
export async function memoryWork(deps: Deps, intent: MemoryIntent): Promise<Outcome> {
  const refusal = await memoryRefusal(deps, intent.sender);
  if (refusal) {
    core.info(`Pilot refuses ${COMMAND_PREFIX} ${intent.command}: ${refusal}`);
    await postReply(deps, intent.issue, refusal);
    return { conclusion: 'skipped' };
  }
  try {
    const reply = intent.command === 'remember' ? await remember(deps, intent) : await forget(deps, intent);
    await postReply(deps, intent.issue, reply.text);
    return { conclusion: reply.ok ? 'success' : 'skipped' };
  } catch (error) {
    const why = failureMessage(error);
    await postReply(deps, intent.issue, `Pilot could not change its memory: ${why}. Nothing was changed.`);
    core.warning(`Memory: ${why}`);
    return { conclusion: 'failure' };
  }
}

/** The lesson as typed: one pair of wrapping quotes dropped, hidden text and look-alike commands defused. */
export function lessonText(args: string): string {
  const text = cleanText(args).trim();
  const quoted = /^(["“'])([\s\S]*)(["”'])$/.exec(text);
  return (quoted ? quoted[2] : text).trim();
}

async function remember(deps: Deps, intent: MemoryIntent): Promise<{ ok: boolean; text: string }> {
  const text = lessonText(intent.args);
  const usage = `Write the lesson after the command: \`${COMMAND_PREFIX} remember run npm run build before tests\`.`;
  if (text === '') return { ok: false, text: `Nothing to remember. ${usage}` };
  if (text.length > MAX_TEXT)
    return {
      ok: false,
      text: `That lesson has ${text.length} characters; at most ${MAX_TEXT} fit. ${usage}`,
    };
  // A secret in a lesson would reach every later prompt: refuse it rather than store it masked.
  if (redact(text) !== text)
    return { ok: false, text: 'That lesson looks like it contains a secret; Pilot did not remember it.' };
  const at = new Date(deps.now()).toISOString();
  const record = sealLearning(deps.seal, {
    at,
    id: newLearningId(),
    text,
    source: 'maintainer',
    paths: pathsNamed(text).slice(0, 20),
    by: intent.sender.login,
  });
  await appendRecords({ octokit: deps.octokit, repo: deps.ctx.repo }, [record]);
  core.info(`Memory: remembered ${record.id} for @${intent.sender.login}`);
  return {
    ok: true,
    text: `Remembered as \`${record.id}\`: every later task's prompt may carry it (\`${COMMAND_PREFIX} forget ${record.id}\` removes it).`,
  };
}

async function forget(deps: Deps, intent: MemoryIntent): Promise<{ ok: boolean; text: string }> {
  const id = intent.args.trim().split(/\s+/)[0] ?? '';
  if (!LearningId.safeParse(id).success)
    return {
      ok: false,
      text: `Name the learning to forget by its id, like \`${COMMAND_PREFIX} forget m-1a2b3c\` (\`${COMMAND_PREFIX} memory\` lists them).`,
    };
  const where = { octokit: deps.octokit, repo: deps.ctx.repo };
  const memory = await readMemory(where, deps.seal);
  if (!memory.learnings.some((l) => l.id === id))
    return {
      ok: false,
      text: `Pilot remembers nothing with id \`${id}\` (\`${COMMAND_PREFIX} memory\` lists them).`,
    };
  const at = new Date(deps.now()).toISOString();
  await appendRecords(where, [sealForget(deps.seal, { id, by: intent.sender.login, at })]);
  core.info(`Memory: forgot ${id} for @${intent.sender.login}`);
  return { ok: true, text: `Forgot \`${id}\`: no later task's prompt carries it.` };
}

function cell(text: string): string {
  return cleanText(text).replace(/\s+/g, ' ').replace(/\|/g, '\\|').trim();
}

/** `/pilot memory`'s table (a read: the gate answers it). */
export function memoryTable(learnings: Learning[], forged: number): string {
  const ignored = forged
    ? `\n\n⚠️ ${forged} entr${forged === 1 ? 'y' : 'ies'} that Pilot did not seal were ignored.`
    : '';
  if (learnings.length === 0)
    return `Pilot remembers nothing yet. A maintainer can add a lesson with \`${COMMAND_PREFIX} remember <lesson>\`.${ignored}`;
  const rows = learnings.map(
    (l) =>
      `| \`${l.id}\` | ${cell(l.text)} | ${l.source} (@${cell(l.by)}) | ${l.paths.map((p) => `\`${cell(p)}\``).join(', ') || '—'} | ${l.hits} | ${l.created.slice(0, 10)} |`,
  );
  return (
    [
      `**Pilot's memory** — ${learnings.length} learning(s); \`${COMMAND_PREFIX} forget <id>\` removes one:`,
      '',
      '| id | lesson | source | paths | used | since |',
      '| --- | --- | --- | --- | --- | --- |',
      ...rows,
    ].join('\n') + ignored
  );
}

export async function listMemory(deps: Deps, intent: IssueIntent): Promise<Outcome> {
  try {
    const memory = await readMemory({ octokit: deps.octokit, repo: deps.ctx.repo }, deps.seal);
    if (memory.forged) core.warning(`Memory: ignored ${memory.forged} entries Pilot did not seal`);
    await postReply(deps, intent.issue, memoryTable(memory.learnings, memory.forged));
    return { conclusion: 'success' };
  } catch (error) {
    await postReply(deps, intent.issue, `Pilot could not read its memory: ${failureMessage(error)}.`);
    return { conclusion: 'failure' };
  }
}
