// Agent sessions that survive the run: a fixed session id recorded in the tracking comment's marker,
// the transcript directory saved encrypted to the Actions cache, and restored for follow-ups
// (`/pilot retry`, `/pilot fix`, review and CI fixes) only when its hash matches the marker.
// Any miss degrades to a fresh session with a summary of prior runs; it never fails the run.
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { messageOf } from '../../errors.js';
import type { TaskDoc } from '../../state/task.js';
import { type AgentRequest, type AgentResult, runClaude } from '../claude.js';
import { packTranscripts, TRANSCRIPTS, unpackTranscripts } from './archive.js';
import { decrypt, encrypt, sessionKey, sha256 } from './crypto.js';
import { actionsCache, type CacheApi, sessionCacheKey, sessionKeyPrefix } from './store.js';

export { actionsCache, type CacheApi, sessionCacheKey, sessionKeyPrefix } from './store.js';

/** Commands that continue the earlier conversation rather than start over. */
const RESUMING = new Set(['retry', 'fix']);

/** `/pilot run` after `/pilot plan` continues the planning conversation: the plan is its first context. */
function resumes(opts: Pick<SessionOptions, 'command' | 'prior'>): boolean {
  return RESUMING.has(opts.command) || (opts.command === 'run' && Boolean(opts.prior?.plan));
}

export interface SessionOptions {
  /** The agent's CLAUDE_CONFIG_DIR. */
  configDir: string;
  /** This run, for the cache key `pilot-v1-session-<issue>-<run_id>-<attempt>`. */
  runId: number;
  attempt: number;
  /** Pilot's own scratch directory for the encrypted archive (never the agent's). */
  workDir: string;
  issue: number;
  command: string;
  issueBody: string;
  /** The task as the tracking comment's marker had it before this run. */
  prior: TaskDoc | null;
  /** Pilot's model credential (never the agent's per-run key): the encryption key derives from it. */
  credential?: string;
  repositoryId: string;
  cache?: CacheApi;
  /** Told once the session is open: the post step saves it from this if the run dies first. */
  onOpened?: (memo: SessionMemo) => void;
  /** Told once the session is in the cache. */
  onSaved?: (saved: SavedSession) => void;
}

/**
 * What another process (the post step) needs to save this run's session when the run was killed
 * before it could: no credential (the post step reads its own), nothing secret.
 */
export interface SessionMemo {
  configDir: string;
  workDir: string;
  issue: number;
  runId: number;
  attempt: number;
  repositoryId: string;
  sessionId: string;
  bodyHash: string;
  /** The session's cost before this run; this run's own is unknown when it was killed. */
  priorCostUsd: number;
}

export interface Session {
  opts: SessionOptions;
  sessionId: string;
  resumed: boolean;
  /** What the session had cost before this run (the CLI reports cumulative totals after --resume). */
  priorCostUsd: number;
  bodyHash: string;
  /** Put before the task prompt: what happened since, or a summary of prior runs. */
  preface: string;
  /** Said once in the summary and tracking comment. */
  notes: string[];
}

export interface SavedSession {
  /** SHA-256 of the saved archive; undefined when nothing was saved. */
  hash?: string;
  key?: string;
  note?: string;
}

export function bodyHashOf(body: string): string {
  return sha256(body.replace(/\r\n/g, '\n').trim()).slice(0, 32);
}

function archivePath(opts: SessionOptions): string {
  return path.join(opts.workDir, 'transcripts.bin');
}

function fresh(opts: SessionOptions, bodyHash: string, why: string | null): Session {
  const notes = why ? [`Fresh agent session: ${why}.`] : [];
  return {
    opts,
    sessionId: randomUUID(),
    resumed: false,
    priorCostUsd: 0,
    bodyHash,
    preface: why && opts.prior ? priorRunsSummary(opts.prior, why) : '',
    notes,
  };
}

/** Why the earlier session cannot be continued, or null when it may be. */
function refusal(opts: SessionOptions, bodyHash: string): string | null {
  const { prior } = opts;
  if (!resumes(opts)) return null;
  if (!prior?.sessionId) return 'no earlier session is recorded for this issue';
  if (prior.bodyHash && prior.bodyHash !== bodyHash) return 'the issue description was edited since';
  if (!prior.sessionHash) return 'the earlier session was not saved';
  if (!opts.credential) return 'no model credential to decrypt the saved session with';
  return null;
}

export async function openSession(opts: SessionOptions): Promise<Session> {
  // Leftovers on a reused (self-hosted) runner never count: only a verified restore is resumed.
  rmSync(path.join(opts.configDir, TRANSCRIPTS), { recursive: true, force: true });
  mkdirSync(opts.configDir, { recursive: true });
  mkdirSync(opts.workDir, { recursive: true });
  const bodyHash = bodyHashOf(opts.issueBody);
  if (!resumes(opts)) return fresh(opts, bodyHash, null);
  const refused = refusal(opts, bodyHash);
  if (refused) return fresh(opts, bodyHash, refused);
  const restored = await restore(opts).catch(
    (error: Error) => `the saved session could not be read (${error.message})`,
  );
  if (typeof restored === 'string') return fresh(opts, bodyHash, restored);
  const prior = opts.prior as TaskDoc;
  return {
    opts,
    sessionId: prior.sessionId as string,
    resumed: true,
    priorCostUsd: prior.sessionCostUsd ?? 0,
    bodyHash,
    preface: followUpPreface(prior, opts.command),
    notes: [`Resumed the agent session \`${prior.sessionId}\` from the cache.`],
  };
}

/** Restores, verifies and unpacks; a string says why it could not. */
async function restore(opts: SessionOptions): Promise<true | string> {
  const cache = opts.cache ?? actionsCache;
  if (!cache.available()) return 'no Actions cache is available to this run';
  const file = archivePath(opts);
  rmSync(file, { force: true });
  const prefix = sessionKeyPrefix(opts.issue);
  const matched = await cache.restore([file], prefix, [prefix]);
  if (!matched) return 'the saved session is no longer in the cache';
  const sealed = readFileSync(file);
  if (sha256(sealed) !== opts.prior?.sessionHash) return 'the cached session does not match the one recorded';
  const plain = decrypt(sealed, sessionKey(opts.credential as string, opts.repositoryId));
  await unpackTranscripts(opts.configDir, plain);
  return true;
}

/** Archives the transcripts, encrypts and saves them; never claims a save that did not happen. */
export async function saveSession(
  session: Session,
  run: { runId: number; attempt: number; keySuffix?: string },
): Promise<SavedSession> {
  const { opts } = session;
  const cache = opts.cache ?? actionsCache;
  const mode = cache.mode();
  if (mode === 'read' || mode === 'none')
    return {
      note: `The agent session was not saved: this run's cache is ${mode === 'read' ? 'read-only' : 'off'} (ACTIONS_CACHE_MODE=${mode}); a follow-up starts a fresh session.`,
    };
  if (!cache.available()) return { note: 'The agent session was not saved: no Actions cache is available.' };
  if (!opts.credential)
    return { note: 'The agent session was not saved: no model credential to encrypt it with.' };
  try {
    const packed = await packTranscripts(opts.configDir);
    if (!packed) return { note: 'The agent wrote no transcript; nothing to save.' };
    const sealed = encrypt(packed.archive, sessionKey(opts.credential, opts.repositoryId));
    const file = archivePath(opts);
    writeFileSync(file, sealed, { mode: 0o600 });
    const key = sessionCacheKey(opts.issue, run.runId, run.attempt, run.keySuffix);
    const id = await cache.save([file], key);
    if (id === -1) return { note: 'The agent session was not saved: the cache refused it.' };
    return { hash: sha256(sealed), key, note: skippedNote(packed.skipped) };
  } catch (error) {
    return { note: `The agent session was not saved: ${messageOf(error)}` };
  }
}

function skippedNote(skipped: string[]): string | undefined {
  if (!skipped.length) return undefined;
  const shown = skipped.slice(0, 5).join(', ');
  const more = skipped.length > 5 ? ` and ${skipped.length - 5} more` : '';
  return `Left out of the saved agent session: ${shown}${more}. Only regular files and directories are kept.`;
}

/** The marker fields this run leaves behind. */
export function sessionFields(
  session: Session,
  agent: { sessionId?: string; sessionCostUsd: number },
  saved: SavedSession,
): Pick<TaskDoc, 'sessionId' | 'sessionHash' | 'bodyHash' | 'sessionCostUsd'> {
  return {
    sessionId: agent.sessionId ?? session.sessionId,
    sessionHash: saved.hash,
    bodyHash: session.bodyHash,
    sessionCostUsd: agent.sessionCostUsd,
  };
}

function followUpPreface(prior: TaskDoc, command: string): string {
  const last = prior.runs.filter((r) => r.kind === 'work').at(-1);
  return [
    `You are continuing your earlier session on this issue (command: ${command}).`,
    `Since then: the previous run ended with status "${prior.status}"${last ? ` (run ${last.id})` : ''}.`,
    prior.branch ? `Your work so far is on branch ${prior.branch}, already checked out.` : '',
    'The current issue thread follows; comments after your last run are new.',
  ]
    .filter(Boolean)
    .join('\n');
}

function priorRunsSummary(prior: TaskDoc, why: string): string {
  const runs = prior.runs
    .filter((r) => r.kind === 'work')
    .map((r) => `- run ${r.id} at ${r.at}${r.outcome ? `: ${r.outcome}` : ''}`);
  return [
    `Earlier runs worked on this issue, but their conversation is not available (${why}).`,
    `Task status so far: "${prior.status}", ${prior.attempts} attempt(s).`,
    ...runs,
    prior.branch
      ? `Work so far is on branch ${prior.branch}, already checked out: read it before changing it.`
      : '',
  ]
    .filter(Boolean)
    .join('\n');
}

/** Continues the session in the same run: `last` is the latest result (its id and cumulative cost). */
export type Resume = (last: AgentResult, prompt: string, maxTurns: number) => Promise<AgentResult>;

export interface SessionOutcome {
  fields: Pick<TaskDoc, 'sessionId' | 'sessionHash' | 'bodyHash' | 'sessionCostUsd'>;
  resumed: boolean;
  notes: string[];
}

/**
 * Runs the agent inside its session: restore (or start fresh), run, save. The config dir is the
 * request's CLAUDE_CONFIG_DIR; session trouble ends up in the outcome's notes, never thrown.
 */
export function sessionRunner(
  opts: Omit<SessionOptions, 'configDir'>,
  run: (req: AgentRequest) => Promise<AgentResult> = runClaude,
) {
  let outcome: SessionOutcome | undefined;
  return {
    outcome: () => outcome,
    /**
     * `then` runs after the agent and before the save: it may resume the same session in this run
     * (quality gates, self-review) and returns the run's combined result.
     */
    async run(req: AgentRequest, then?: (first: AgentResult, resume: Resume) => Promise<AgentResult>) {
      const configDir = req.env.CLAUDE_CONFIG_DIR;
      if (!configDir) throw new Error('the agent environment has no CLAUDE_CONFIG_DIR');
      const session = await openSession({ ...opts, configDir });
      opts.onOpened?.(memoOf(session));
      const first = await run({
        ...req,
        prompt: session.preface ? `${session.preface}\n\n${req.prompt}` : req.prompt,
        sessionId: session.resumed ? undefined : session.sessionId,
        resumeSessionId: session.resumed ? session.sessionId : undefined,
        priorSessionCostUsd: session.priorCostUsd,
      });
      const resume: Resume = (last, prompt, maxTurns) =>
        run({
          ...req,
          prompt,
          maxTurns,
          sessionId: undefined,
          resumeSessionId: last.sessionId ?? session.sessionId,
          priorSessionCostUsd: last.sessionCostUsd,
        });
      const agent = then ? await then(first, resume) : first;
      const saved = await saveSession(session, { runId: opts.runId, attempt: opts.attempt });
      if (saved.hash) opts.onSaved?.(saved);
      outcome = {
        fields: sessionFields(session, agent, saved),
        resumed: session.resumed,
        notes: [...session.notes, ...(saved.note ? [saved.note] : [])],
      };
      return agent;
    },
  };
}

function memoOf(session: Session): SessionMemo {
  const { opts } = session;
  return {
    configDir: opts.configDir,
    workDir: opts.workDir,
    issue: opts.issue,
    runId: opts.runId,
    attempt: opts.attempt,
    repositoryId: opts.repositoryId,
    sessionId: session.sessionId,
    bodyHash: session.bodyHash,
    priorCostUsd: session.priorCostUsd,
  };
}

/**
 * The post step's save, for a run killed before its own: the transcripts the agent left on disk,
 * saved under this run's key. Returns the marker fields only for what was really saved.
 */
export async function saveInterrupted(
  memo: SessionMemo,
  credential: string | undefined,
  cache?: CacheApi,
): Promise<{ fields: Partial<SessionOutcome['fields']>; note?: string }> {
  const session: Session = {
    opts: { ...memo, command: 'run', issueBody: '', prior: null, credential, cache },
    sessionId: memo.sessionId,
    resumed: false,
    priorCostUsd: memo.priorCostUsd,
    bodyHash: memo.bodyHash,
    preface: '',
    notes: [],
  };
  // Its own key: a main step killed mid-save leaves the run's key reserved, and cache keys are
  // immutable. Restores go by prefix and check the hash, so either key serves a follow-up.
  const run = { runId: memo.runId, attempt: memo.attempt, keySuffix: '-post' };
  const saved = await saveSession(session, run);
  if (!saved.hash) return { fields: {}, note: saved.note };
  return { fields: sessionFields(session, { sessionCostUsd: memo.priorCostUsd }, saved), note: saved.note };
}
