// What main leaves for the post step (GITHUB_STATE), so a cancelled run can still tell the truth.
import * as core from '@actions/core';

export interface RunState {
  issue: number;
  trackingId: number;
  branch: string;
}

export function saveRunState(state: RunState): void {
  core.saveState('pilot', JSON.stringify(state));
}

export function markFinished(): void {
  core.saveState('pilot-finished', 'true');
}

export function readRunState(): { state: RunState | null; finished: boolean } {
  const raw = core.getState('pilot');
  let state: RunState | null = null;
  try {
    state = raw ? (JSON.parse(raw) as RunState) : null;
  } catch {
    state = null;
  }
  return { state, finished: core.getState('pilot-finished') === 'true' };
}
