// Pilot's reserve for its final writes. Progress edits to the tracking comment are optional; the
// tracking comment's last update and the pull request are not. So optional writes stop while fewer
// than `reserve` writes are left in GitHub's secondary budgets (about 80 content-creating requests a
// minute and 500 an hour), or in the primary budget GitHub reports (`x-ratelimit-remaining`), or while
// GitHub has asked Pilot to wait. Waiting and retrying is the throttling plugin's job (rate-limits.ts);
// this layer only counts and answers "may an optional write go now?".
// https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export interface ReserveOptions {
  now?: () => number;
  writesPerMinute?: number;
  writesPerHour?: number;
  /** Writes kept back from optional requests for the run's final writes. */
  reserve?: number;
}

interface RequestInfo {
  method: string;
  url: string;
  query?: unknown;
}

export type Headers = Record<string, string | number | undefined>;

/** Content-creating: anything but reads. GraphQL queries are reads; mutations are not. */
export function isWrite(req: RequestInfo): boolean {
  const method = req.method.toUpperCase();
  if (method === 'GET' || method === 'HEAD') return false;
  if (/\/graphql$/.test(req.url)) return typeof req.query === 'string' && /^\s*mutation\b/.test(req.query);
  return true;
}

export class WriteReserve {
  private readonly now: () => number;
  private readonly perMinute: number;
  private readonly perHour: number;
  private readonly reserve: number;
  private writes: number[] = [];
  private pausedUntil = 0;
  private primaryRemaining = Number.POSITIVE_INFINITY;

  constructor(opts: ReserveOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.perMinute = opts.writesPerMinute ?? 80;
    this.perHour = opts.writesPerHour ?? 500;
    this.reserve = opts.reserve ?? 20;
  }

  /** Every request as it is sent (retries too: GitHub counts them). */
  noteRequest(req: RequestInfo): void {
    if (isWrite(req)) this.writes.push(this.now());
  }

  /** GitHub's primary budget, from any answer (success or error) that reports it. */
  noteHeaders(headers: Headers | undefined): void {
    const remaining = Number(headers?.['x-ratelimit-remaining']);
    if (headers?.['x-ratelimit-remaining'] !== undefined && Number.isFinite(remaining))
      this.primaryRemaining = remaining;
  }

  /** GitHub asked for a wait: optional writes hold back until it is over. */
  pause(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.now() + ms);
  }

  /** Writes left in the tightest of the three budgets. */
  remainingWrites(): number {
    const now = this.now();
    this.writes = this.writes.filter((t) => t > now - HOUR);
    const lastMinute = this.writes.filter((t) => t > now - MINUTE).length;
    return Math.min(this.perMinute - lastMinute, this.perHour - this.writes.length, this.primaryRemaining);
  }

  /** Whether an optional write (a progress edit) may go now without eating into the reserve. */
  allowOptionalWrite(): boolean {
    return this.now() >= this.pausedUntil && this.remainingWrites() > this.reserve;
  }
}

let shared: WriteReserve | undefined;

/** The process-wide reserve every Octokit instance counts into (the budgets are per identity). */
export function sharedReserve(): WriteReserve {
  shared ??= new WriteReserve();
  return shared;
}
