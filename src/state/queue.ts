// The issue timeline is the queue (DESIGN "State"): a `/pilot` work command Pilot acknowledged (👀)
// is waiting until Pilot reacts 🚀 to it. No separate store, so concurrent comments cannot overwrite
// each other; only reactions by Pilot's own identity count (anyone can react 🚀).
import { z } from 'zod';
import { MARKER_PREFIX, REPLY_MARKER } from '../constants.js';
import { parseCommand } from '../events/command.js';
import type { Actor, IntentSource, WorkCommand } from '../events/intent.js';
import type { Octokit, Repo } from '../github/client.js';
import { reportForgedState } from './forged.js';
import type { MarkerKey } from './task.js';

const WORK: ReadonlySet<string> = new Set(['run', 'plan', 'retry', 'fix']);

export interface QueuedCommand {
  /** The comment to react 🚀 to: the command itself, or Pilot's note that queued a request. */
  commentId: number;
  createdAt: string;
  author: Actor;
  command: WorkCommand;
  args: string;
  source: IntentSource;
}

/**
 * A request that has no comment of its own (a label, a manual dispatch) and found the lease held is
 * queued in the note Pilot posts about it, so it takes its place in the timeline like a comment.
 */
const QUEUED_PREFIX = '<!-- pilot:queued ';

const QueuedNote = z.object({
  // `remember`/`forget` never wait for the lease (src/pipeline/memory-commands.ts); listed so the types agree.
  command: z.enum(['run', 'plan', 'retry', 'fix', 'remember', 'forget', 'approve']),
  args: z.string().max(2_000),
  source: z.enum(['label', 'dispatch', 'manual', 'schedule', 'review', 'ci', 'comment']),
  sender: z.object({
    login: z.string().max(120),
    id: z.number().int().nonnegative(),
    type: z.string().max(20),
  }),
});
export type QueuedNote = z.infer<typeof QueuedNote>;

const MAC_SEPARATOR = ' mac:';

/** The note's hidden marker, authenticated for this issue (only Pilot holds the key). */
export function queuedNoteMarker(note: QueuedNote, key: MarkerKey): string {
  const json = JSON.stringify(note).replace(/>/g, '\\u003e');
  const mac = key.seal.sign({ purpose: 'queued', issue: key.issue }, json);
  return `${QUEUED_PREFIX}${json}${MAC_SEPARATOR}${mac} -->`;
}

type NoteRead = { note: QueuedNote } | { forged: string } | null;

/** The last queued-note marker in a body, verified; null when there is none. */
export function readQueuedNote(body: string, key: MarkerKey): NoteRead {
  const start = body.lastIndexOf(QUEUED_PREFIX);
  const end = start < 0 ? -1 : body.indexOf(' -->', start);
  if (end < 0) return null;
  const raw = body.slice(start + QUEUED_PREFIX.length, end);
  const cut = raw.lastIndexOf(MAC_SEPARATOR);
  const json = cut < 0 ? raw : raw.slice(0, cut);
  const mac = cut < 0 ? '' : raw.slice(cut + MAC_SEPARATOR.length);
  if (!key.seal.verify({ purpose: 'queued', issue: key.issue }, json, mac)) {
    return { forged: 'the queued note does not verify under pilot-state-key' };
  }
  try {
    const parsed = QueuedNote.safeParse(JSON.parse(json));
    return parsed.success ? { note: parsed.data } : null;
  } catch {
    return null;
  }
}

type Reactions = Array<{ content: string; user?: { login: string } | null }>;

function same(a: string | undefined, b: string): boolean {
  return (a ?? '').toLowerCase() === b.toLowerCase();
}

async function reactionsOf(octokit: Octokit, repo: Repo, commentId: number): Promise<Reactions> {
  return octokit.paginate(octokit.rest.reactions.listForIssueComment, {
    ...repo,
    comment_id: commentId,
    per_page: 100,
  });
}

function byPilot(reactions: Reactions, content: string, pilotLogin: string): boolean {
  return reactions.some((r) => r.content === content && same(r.user?.login, pilotLogin));
}

/** True once Pilot has reacted 🚀 to the comment (its command was taken up by a work run). */
export async function isServed(octokit: Octokit, repo: Repo, commentId: number, pilotLogin: string) {
  return byPilot(await reactionsOf(octokit, repo, commentId), 'rocket', pilotLogin);
}

export async function markServed(octokit: Octokit, repo: Repo, commentId: number): Promise<void> {
  await octokit.rest.reactions.createForIssueComment({ ...repo, comment_id: commentId, content: 'rocket' });
}

/** A work command in a comment, or null (Pilot's own notes, other text, reply commands). */
function workCommandOf(comment: { body?: string | null }): { command: WorkCommand; args: string } | null {
  const body = comment.body ?? '';
  if (body.includes(MARKER_PREFIX) || body.includes(REPLY_MARKER)) return null;
  const parsed = parseCommand(body);
  return parsed && WORK.has(parsed.command)
    ? { command: parsed.command as WorkCommand, args: parsed.args }
    : null;
}

/** Acknowledged, unserved work commands, oldest first. */
export async function pendingCommands(
  octokit: Octokit,
  repo: Repo,
  issue: number,
  pilotLogin: string,
  key: MarkerKey,
): Promise<QueuedCommand[]> {
  const comments = await octokit.paginate(octokit.rest.issues.listComments, {
    ...repo,
    issue_number: issue,
    per_page: 100,
  });
  const pending: QueuedCommand[] = [];
  for (const c of comments) {
    if (!c.user) continue;
    // Only Pilot's own authenticated notes queue a request this way (anyone can paste the marker,
    // and every workflow with the default token writes as Pilot's login).
    const read = same(c.user.login, pilotLogin) ? readQueuedNote(c.body ?? '', key) : null;
    if (read && 'forged' in read) {
      await reportForgedState('queued note', c.id, read.forged);
      continue;
    }
    if (read) {
      if (!byPilot(await reactionsOf(octokit, repo, c.id), 'rocket', pilotLogin)) {
        pending.push({ commentId: c.id, createdAt: c.created_at, author: read.note.sender, ...read.note });
      }
      continue;
    }
    const work = workCommandOf(c);
    if (!work || same(c.user.login, pilotLogin)) continue;
    const reactions = await reactionsOf(octokit, repo, c.id);
    // 👀 means the gate accepted it from an authorized sender; 😕 means a run refused it later.
    if (!byPilot(reactions, 'eyes', pilotLogin) || byPilot(reactions, 'rocket', pilotLogin)) continue;
    if (byPilot(reactions, 'confused', pilotLogin)) continue;
    pending.push({
      commentId: c.id,
      createdAt: c.created_at,
      author: { login: c.user.login, id: c.user.id, type: c.user.type ?? 'User' },
      source: 'comment',
      ...work,
    });
  }
  return pending.sort((a, b) =>
    a.createdAt === b.createdAt ? a.commentId - b.commentId : a.createdAt < b.createdAt ? -1 : 1,
  );
}

/** Id of the newest `labeled` event for the trigger label: what makes one label delivery unique. */
export async function latestLabelEvent(
  octokit: Octokit,
  repo: Repo,
  issue: number,
  label: string,
): Promise<number | undefined> {
  const events = await octokit.paginate(octokit.rest.issues.listEventsForTimeline, {
    ...repo,
    issue_number: issue,
    per_page: 100,
  });
  const labeled = events.filter(
    (e) =>
      'event' in e &&
      e.event === 'labeled' &&
      'label' in e &&
      same((e.label as { name?: string } | undefined)?.name, label),
  );
  const last = labeled.at(-1) as { id?: number } | undefined;
  return typeof last?.id === 'number' ? last.id : undefined;
}
