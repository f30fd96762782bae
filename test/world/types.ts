// Contracts between the pieces of the local world (GitHub emulator, runner harness, cache service).
// Each piece is a real server the real client talks to; these interfaces are only how tests wire them.

/** A `POST /repos/{o}/{r}/dispatches` the GitHub emulator recorded. */
export interface DispatchRecord {
  owner: string;
  repo: string;
  event_type: string;
  client_payload: Record<string, unknown>;
  /** Run id of the workflow run whose token made the call, when known. */
  fromRunId?: number;
}

/** What a workflow run looks like to the GitHub emulator (`GET /repos/{o}/{r}/actions/runs/{id}`). */
export interface RunInfo {
  owner: string;
  repo: string;
  event: string;
  name?: string;
  headBranch: string;
  headSha: string;
  runAttempt?: number;
}

/**
 * What the runner harness needs from "GitHub" to behave like it: runs to register (so leases and
 * `/pilot cancel` can look them up), dispatches to follow, and cancellations to deliver.
 * The GitHub emulator implements it.
 */
export interface RunHost {
  /** Registers a new in-progress run and returns its id. */
  startRun(info: RunInfo): number;
  /** Marks the run completed with a conclusion (`success`, `failure`, `cancelled`). */
  finishRun(runId: number, conclusion: 'success' | 'failure' | 'cancelled'): void;
  /** Returns and forgets dispatches recorded since the last call. */
  takeDispatches(): DispatchRecord[];
  /** True once `POST /actions/runs/{id}/cancel` was called for the run (the harness then cancels it). */
  cancelRequested(runId: number): boolean;
}
