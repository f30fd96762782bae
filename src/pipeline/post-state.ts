// What main leaves for the post step (GITHUB_STATE), so a cancelled run can still tell the truth.
import * as core from '@actions/core';
import { z } from 'zod';
import type { SavedSession, SessionMemo } from '../agent/session/index.js';
import type { RepoIdentity } from '../git/git.js';

export interface RunState {
  issue: number;
  trackingId: number;
  branch: string;
}

const KEYS = {
  run: 'pilot',
  finished: 'pilot-finished',
  session: 'pilot-session',
  saved: 'pilot-session-saved',
  repo: 'pilot-repo',
};

const SessionMemoSchema = z.object({
  configDir: z.string().min(1),
  workDir: z.string().min(1),
  issue: z.number().int().positive(),
  runId: z.number().int(),
  attempt: z.number().int(),
  repositoryId: z.string(),
  sessionId: z.string().min(1),
  bodyHash: z.string(),
  priorCostUsd: z.number().nonnegative(),
});

const RepoIdentitySchema = z.object({
  dev: z.string().regex(/^\d+$/),
  ino: z.string().regex(/^\d+$/),
  uid: z.string().regex(/^\d+$/),
});

const SavedSchema = z.object({ hash: z.string().regex(/^[0-9a-f]{64}$/), key: z.string() });

export function saveRunState(state: RunState): void {
  core.saveState(KEYS.run, JSON.stringify(state));
}

/** `.git` as main found it before lending the workspace: the post step's git checks it too. */
export function saveRepoIdentity(identity: RepoIdentity): void {
  core.saveState(KEYS.repo, JSON.stringify(identity));
}

export function markFinished(): void {
  core.saveState(KEYS.finished, 'true');
}

/** The agent's session as it opened: enough for the post step to save it if main cannot. */
export function saveSessionState(memo: SessionMemo): void {
  core.saveState(KEYS.session, JSON.stringify(memo));
}

/** Main saved the session itself: the post step only needs its hash for the marker. */
export function markSessionSaved(saved: SavedSession): void {
  core.saveState(KEYS.saved, JSON.stringify({ hash: saved.hash, key: saved.key }));
}

function parsed<T>(raw: string, schema: z.ZodType<T>): T | null {
  if (!raw) return null;
  try {
    const result = schema.safeParse(JSON.parse(raw));
    return result.success ? result.data : null;
  } catch {
    return null;
  }
}

export interface PostInputs {
  state: RunState | null;
  finished: boolean;
  /** The session main opened, when it got that far. */
  session: SessionMemo | null;
  /** The session archive main saved, when it got that far. */
  sessionSaved: { hash: string; key: string } | null;
  /** `.git`'s device, inode and owner before the workspace was lent, when main got that far. */
  repo: RepoIdentity | null;
}

export function readRunState(): PostInputs {
  const raw = core.getState(KEYS.run);
  let state: RunState | null = null;
  try {
    state = raw ? (JSON.parse(raw) as RunState) : null;
  } catch {
    state = null;
  }
  return {
    state,
    finished: core.getState(KEYS.finished) === 'true',
    session: parsed(core.getState(KEYS.session), SessionMemoSchema),
    sessionSaved: parsed(core.getState(KEYS.saved), SavedSchema),
    repo: parsed(core.getState(KEYS.repo), RepoIdentitySchema),
  };
}
