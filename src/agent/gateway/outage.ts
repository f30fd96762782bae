// The model API's outage, as the gateway sees it: upstream Messages answers of 5xx (529 is Anthropic's
// `overloaded_error`) in a row. The CLI retries those itself with waits that run in real time (minutes
// over its ten tries), spending the job's clock during a provider outage; so once a short budget of
// consecutive failures is spent the gateway answers the CLI at once with a refusal it does not retry,
// and refuses every later Messages request without asking upstream: the run stops and Pilot pauses
// the task (src/pipeline/work.ts) instead of failing it. Any good answer resets the count.

/**
 * Consecutive upstream 5xx/529 answers before the gateway calls it an outage. Three, because the
 * pinned CLI (2.1.33x) gives up by itself after three 529s in a row ("Repeated 529 Overloaded
 * errors", seen in test/e2e/faults-outage.e2e.test.ts); a 500/502/503 it would retry ten times.
 */
export const OUTAGE_BUDGET = 3;

/**
 * The status the gateway answers with once it calls an outage: Anthropic's own "overloaded" status,
 * with `x-should-retry: false` (handler.ts's refuse), so the CLI ends the run with `api_error`.
 */
export const OUTAGE_STATUS = 529;

export interface OutageState {
  /** Upstream 5xx/529 answers in a row so far. */
  consecutive: number;
  /** The last upstream failure, e.g. `529 overloaded_error`; absent before any. */
  last?: string;
  /** True once the budget was spent: no further Messages request goes upstream in this run. */
  tripped: boolean;
}

export function isOutageStatus(status: number): boolean {
  return status >= 500 && status <= 599;
}

export class OutageWatch {
  private state: OutageState = { consecutive: 0, tripped: false };

  constructor(private readonly budget: number = OUTAGE_BUDGET) {}

  /** Counts one upstream answer; true when this one spent the budget. */
  observe(status: number, type: string | undefined): boolean {
    if (this.state.tripped) return false;
    if (!isOutageStatus(status)) {
      if (status >= 200 && status < 300) this.state = { consecutive: 0, tripped: false };
      return false;
    }
    const last = type ? `${status} ${type}` : String(status);
    const consecutive = this.state.consecutive + 1;
    this.state = { consecutive, last, tripped: consecutive >= this.budget };
    return this.state.tripped;
  }

  tripped(): boolean {
    return this.state.tripped;
  }

  snapshot(): OutageState {
    return { ...this.state };
  }

  /** What the refusal (and so the CLI's error, and Pilot's note) says. */
  message(): string {
    const { consecutive, last } = this.state;
    return `the model API is unavailable: ${consecutive} answers in a row failed upstream (last: ${last ?? 'unknown'}); Pilot stopped asking and pauses the task`;
  }
}
