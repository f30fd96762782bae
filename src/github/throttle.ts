// One throttle for every GitHub call the process makes. GitHub's secondary limits allow about 80
// content-creating requests a minute and 500 an hour; GITHUB_TOKEN has 1,000 requests an hour per
// repository. Progress edits are optional and stop well before the budget runs out, so the final
// writes (tracking comment, PR) always have a reserve.
// https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api
import type { getOctokit } from '@actions/github';

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface ThrottleOptions {
  clock?: Clock;
  writesPerMinute?: number;
  writesPerHour?: number;
  /** Writes kept back from optional (progress) requests for the run's final writes. */
  reserve?: number;
  /** Retries after a rate-limit answer. */
  maxRetries?: number;
  /** A wait longer than this is not worth it: the request fails with GitHub's answer instead. */
  maxWaitMs?: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

interface RequestInfo {
  method: string;
  url: string;
}

interface ErrorLike {
  status?: number;
  message?: string;
  response?: { headers?: Record<string, string | number | undefined> };
}

/** Content-creating: anything but reads. GraphQL queries are reads; mutations are not. */
export function isWrite(req: RequestInfo & { query?: unknown }): boolean {
  const method = req.method.toUpperCase();
  if (method === 'GET' || method === 'HEAD') return false;
  if (/\/graphql$/.test(req.url)) return typeof req.query === 'string' && /^\s*mutation\b/.test(req.query);
  return true;
}

export class Throttle {
  readonly clock: Clock;
  private readonly perMinute: number;
  private readonly perHour: number;
  private readonly reserve: number;
  private readonly maxRetries: number;
  private readonly maxWaitMs: number;
  private writes: number[] = [];
  private pausedUntil = 0;
  /** Requests waited for, and why (for logs and tests). */
  readonly waits: Array<{ ms: number; why: string }> = [];

  constructor(opts: ThrottleOptions = {}) {
    this.clock = opts.clock ?? realClock;
    this.perMinute = opts.writesPerMinute ?? 80;
    this.perHour = opts.writesPerHour ?? 500;
    this.reserve = opts.reserve ?? 20;
    this.maxRetries = opts.maxRetries ?? 3;
    this.maxWaitMs = opts.maxWaitMs ?? 15 * MINUTE;
  }

  private prune(now: number): void {
    this.writes = this.writes.filter((t) => t > now - HOUR);
  }

  private inLastMinute(now: number): number {
    return this.writes.filter((t) => t > now - MINUTE).length;
  }

  /** Writes left in the tighter of the two windows. */
  remainingWrites(): number {
    const now = this.clock.now();
    this.prune(now);
    return Math.min(this.perMinute - this.inLastMinute(now), this.perHour - this.writes.length);
  }

  /** Whether an optional write (a progress edit) may go now without eating into the reserve. */
  allowOptionalWrite(): boolean {
    return this.clock.now() >= this.pausedUntil && this.remainingWrites() > this.reserve;
  }

  private async wait(ms: number, why: string): Promise<void> {
    if (ms <= 0) return;
    if (ms > this.maxWaitMs)
      throw new Error(`GitHub rate limit: would have to wait ${Math.ceil(ms / 1000)} s (${why})`);
    this.waits.push({ ms, why });
    await this.clock.sleep(ms);
  }

  /** Waits for a pause to end and, for writes, for room in both windows; then counts the write. */
  private async admit(write: boolean): Promise<void> {
    await this.wait(this.pausedUntil - this.clock.now(), 'paused by GitHub');
    if (!write) return;
    let now = this.clock.now();
    this.prune(now);
    if (this.writes.length >= this.perHour)
      await this.wait(this.writes[0] + HOUR - now, 'hourly write budget');
    now = this.clock.now();
    const minute = this.writes.filter((t) => t > now - MINUTE);
    if (minute.length >= this.perMinute) await this.wait(minute[0] + MINUTE - now, 'per-minute write budget');
    this.writes.push(this.clock.now());
  }

  /** How long GitHub asks us to wait after this answer, or null when it is not a rate limit. */
  backoffFor(error: ErrorLike): number | null {
    const headers = error.response?.headers ?? {};
    const retryAfter = Number(headers['retry-after']);
    if (Number.isFinite(retryAfter) && retryAfter >= 0 && headers['retry-after'] !== undefined)
      return retryAfter * 1000;
    if (error.status !== 403 && error.status !== 429) return null;
    if (String(headers['x-ratelimit-remaining']) === '0' && headers['x-ratelimit-reset'] !== undefined)
      return Math.max(0, Number(headers['x-ratelimit-reset']) * 1000 - this.clock.now()) + 1000;
    // A secondary limit without headers: GitHub says to wait at least a minute.
    if (/secondary rate limit|abuse/i.test(error.message ?? '')) return MINUTE;
    return error.status === 429 ? MINUTE : null;
  }

  /** A successful answer that used up the primary budget pauses everyone until it resets. */
  noteHeaders(headers: Record<string, string | number | undefined>): void {
    if (String(headers['x-ratelimit-remaining']) !== '0') return;
    const reset = Number(headers['x-ratelimit-reset']);
    if (Number.isFinite(reset)) this.pausedUntil = Math.max(this.pausedUntil, reset * 1000 + 1000);
  }

  async run<T>(info: RequestInfo & { query?: unknown }, send: () => Promise<T>): Promise<T> {
    const write = isWrite(info);
    for (let attempt = 0; ; attempt++) {
      await this.admit(write);
      try {
        const response = await send();
        const headers = (response as { headers?: Record<string, string | number | undefined> })?.headers;
        if (headers) this.noteHeaders(headers);
        return response;
      } catch (error) {
        const backoff = this.backoffFor(error as ErrorLike);
        if (backoff === null || attempt >= this.maxRetries) throw error;
        this.pausedUntil = Math.max(this.pausedUntil, this.clock.now() + backoff);
      }
    }
  }
}

let shared: Throttle | undefined;

/** The process-wide throttle every Octokit instance shares. */
export function sharedThrottle(): Throttle {
  shared ??= new Throttle();
  return shared;
}

/** For tests: replaces the process-wide throttle (e.g. one with a fake clock). */
export function setSharedThrottle(throttle: Throttle | undefined): void {
  shared = throttle;
}

type AnyOctokit = ReturnType<typeof getOctokit>;

/** Routes every request of this Octokit through the throttle. */
export function installThrottle<O extends AnyOctokit>(octokit: O, throttle: Throttle = sharedThrottle()): O {
  octokit.hook.wrap('request', (request, options) => {
    const query = (options as { query?: unknown }).query;
    return throttle.run({ method: options.method, url: options.url, query }, async () => request(options));
  });
  return octokit;
}
