// What main leaves for the post step (GITHUB_STATE), so a cancelled run can still tell the truth.
// The post step decides with main's configuration: by the time it runs, the agent may have edited
// `.github/pilot.yml` in the working tree (to unprotect paths, rename the bot, switch the App), so
// main records the settings the post step acts on, read before the agent ever ran.
import * as core from '@actions/core';
import { z } from 'zod';
import type { SavedSession, SessionMemo } from '../agent/session/index.js';
import type { Config } from '../config/load.js';
import type { RepoIdentity } from '../git/git.js';

export interface RunState {
  issue: number;
  trackingId: number;
  branch: string;
}

/** The settings the post step acts on, as main loaded them (never the working tree's file). */
export interface MainSettings {
  configPath: string;
  protectedPaths: string[];
  gitUserName: string;
  gitUserEmail: string;
  botLogin: string;
  appId?: string;
}

const KEYS = {
  run: 'pilot',
  settings: 'pilot-settings',
  lease: 'pilot-lease',
  finished: 'pilot-finished',
  session: 'pilot-session',
  saved: 'pilot-session-saved',
  repo: 'pilot-repo',
};

const RunStateSchema = z.object({
  issue: z.number().int().positive(),
  trackingId: z.number().int(),
  branch: z.string().min(1),
});

const MainSettingsSchema = z.object({
  configPath: z.string().min(1),
  protectedPaths: z.array(z.string()),
  gitUserName: z.string().min(1),
  gitUserEmail: z.string().min(1),
  botLogin: z.string().min(1),
  appId: z.string().optional(),
});

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

export function saveRunState(state: RunState, config: Config): void {
  const settings: MainSettings = {
    configPath: config.configPath,
    protectedPaths: config.protectedPaths,
    gitUserName: config.gitUserName,
    gitUserEmail: config.gitUserEmail,
    botLogin: config.botLogin,
    appId: config.appId,
  };
  core.saveState(KEYS.settings, JSON.stringify(settings));
  core.saveState(KEYS.run, JSON.stringify(state));
}

/** The lease this run holds (its commit sha): the post step releases only that one. */
export function saveLeaseState(lease: string): void {
  core.saveState(KEYS.lease, lease);
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
  /** Main's settings; null when main did not record them (the post step then uses the strict defaults). */
  settings: MainSettings | null;
  /** The lease commit main held, when it held one. */
  lease: string | null;
  finished: boolean;
  /** The session main opened, when it got that far. */
  session: SessionMemo | null;
  /** The session archive main saved, when it got that far. */
  sessionSaved: { hash: string; key: string } | null;
  /** `.git`'s device, inode and owner before the workspace was lent, when main got that far. */
  repo: RepoIdentity | null;
}

export function readRunState(): PostInputs {
  const lease = core.getState(KEYS.lease);
  return {
    state: parsed(core.getState(KEYS.run), RunStateSchema),
    settings: parsed(core.getState(KEYS.settings), MainSettingsSchema),
    lease: /^[0-9a-f]{40}$/.test(lease) ? lease : null,
    finished: core.getState(KEYS.finished) === 'true',
    session: parsed(core.getState(KEYS.session), SessionMemoSchema),
    sessionSaved: parsed(core.getState(KEYS.saved), SavedSchema),
    repo: parsed(core.getState(KEYS.repo), RepoIdentitySchema),
  };
}
