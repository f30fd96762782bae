// The world's pilot-state-key (every run gets it by default, like the workflows pass the secret) and
// helpers for tests that set up state Pilot wrote earlier: an authenticated marker or queued note, a
// dispatch carrying Pilot's tag. Nothing here is bundled into dist/.
import { dispatchText } from '../../src/events/dispatch.js';
import { stateSeal } from '../../src/security/state-key.js';
import { renderMarker, type TaskDoc } from '../../src/state/task.js';

/** What `openssl rand -hex 32` would give (fixed, so failures reproduce). */
export const WORLD_STATE_KEY = '5f0c6c1e9a7b4d2f8e3a1c0b9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e';
const REPOSITORY = 'octo-org/sample';

export function worldSeal(repository = REPOSITORY) {
  return stateSeal({ current: WORLD_STATE_KEY }, repository);
}

/** The marker Pilot itself would write for this task on this issue. */
export function sealedMarker(task: Partial<TaskDoc> & Pick<TaskDoc, 'status'>, issue: number): string {
  const full = { v: 1, rev: 1, attempts: 0, costUsd: 0, runs: [], ...task } as TaskDoc;
  return renderMarker(full, { seal: worldSeal(), issue });
}

/** A client_payload with Pilot's authentication tag, as the gate or the sweep would send it. */
export function signedPayload(clientPayload: Record<string, unknown>): Record<string, unknown> {
  const tag = worldSeal().sign({ purpose: 'dispatch' }, dispatchText(clientPayload));
  return { ...clientPayload, tag };
}

/** The task document in a tracking comment's body (the JSON before its MAC). */
export function taskIn(body: string): TaskDoc {
  const json = /<!-- pilot:task (.*?) mac:[0-9a-f]{64} -->\s*$/s.exec(body)?.[1] ?? '{}';
  return JSON.parse(json.replace(/\\u003e/g, '>')) as TaskDoc;
}
