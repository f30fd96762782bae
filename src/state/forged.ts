// State that claims to be Pilot's but does not verify under pilot-state-key (a forged marker or queued
// note: another workflow writing as `github-actions[bot]`, or text that reached a comment) is ignored.
// Ignoring it silently would hide an attack, so each one is said in the log and the job summary.
import * as core from '@actions/core';
import { redact } from '../security/redact.js';

const reported = new Set<string>();

/** Warns once per comment and adds a line to the job summary; never throws. */
export async function reportForgedState(what: string, commentId: number, reason: string): Promise<void> {
  const key = `${what}:${commentId}`;
  if (reported.has(key)) return;
  reported.add(key);
  const line = `Ignored a forged Pilot ${what} in comment ${commentId}: ${reason}`;
  core.warning(redact(line));
  try {
    await core.summary.addRaw(`\n\n⚠️ ${redact(line)}\n`).write();
  } catch {
    // No GITHUB_STEP_SUMMARY (a local run): the warning above is enough.
  }
}
