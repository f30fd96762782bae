// GitHub's rate limits, handled by the kept libraries rather than by hand:
// - @octokit/plugin-throttling lets at most 80 content-creating requests a minute through (Pilot's
//   write pacing below), and on a rate-limit answer asks Pilot's policy whether to wait as long as
//   GitHub says (`retry-after`, or until `x-ratelimit-reset`) and retry;
// - @octokit/plugin-retry retries server errors (5xx) up to three times with a growing pause.
// The policy is bounded and says what it does: a few retries, never a wait longer than a job can
// afford, and a warning in the log each time. Pilot's reserve for its final writes sits on top
// (reserve.ts). https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api
import * as core from '@actions/core';
import * as github from '@actions/github';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import Bottleneck from 'bottleneck/light.js';
import { type Headers, sharedReserve, type WriteReserve } from './reserve.js';

/**
 * The throttling plugin's queues for writes. Its default starts writes a second apart and comments or
 * pull requests three seconds apart: GitHub advises that pause for "a large number" of writes, and
 * Pilot makes about twenty a run, one after another (GitHub asks for no concurrent requests; Pilot's
 * code awaits each write), so the default would add some 20 s to every run for nothing. Pilot keeps
 * the budget instead: `perWindow` writes per window (GitHub allows about 80 content-creating requests
 * a minute); a write beyond it waits for the next window.
 */
export interface WritePacing {
  write: Bottleneck.Group;
  notifications: Bottleneck.Group;
}

export function writePacing(perWindow = 80, windowMs = 60_000): WritePacing {
  return {
    write: new Bottleneck.Group({
      maxConcurrent: 1,
      reservoir: perWindow,
      reservoirRefreshAmount: perWindow,
      reservoirRefreshInterval: windowMs,
    }),
    notifications: new Bottleneck.Group({ maxConcurrent: 1 }),
  };
}

let sharedPacing: WritePacing | undefined;

export interface LimitPolicy {
  /** Retries after a rate-limit answer; then the request fails with GitHub's answer. */
  maxRetries: number;
  /** A longer wait is not worth a job's time: the request fails with GitHub's answer instead. */
  maxWaitSeconds: number;
  /** Milliseconds in each second GitHub asks for (1,000; tests shrink it so nothing really waits). */
  msPerSecond: number;
  warn(message: string): void;
  /** Counts writes and the primary budget; holds optional writes back while GitHub makes Pilot wait. */
  reserve: WriteReserve;
  /** Shared by every Octokit of the process: the budgets are per identity. */
  pacing: WritePacing;
}

export function defaultPolicy(): LimitPolicy {
  sharedPacing ??= writePacing();
  return {
    maxRetries: 3,
    maxWaitSeconds: 15 * 60,
    msPerSecond: 1000,
    warn: (message) => core.warning(message),
    reserve: sharedReserve(),
    pacing: sharedPacing,
  };
}

interface LimitedRequest {
  method: string;
  url: string;
}

/** The answer to plugin-throttling's question "retry after `retryAfter` seconds?", with its reason logged. */
export function limitHandler(kind: string, policy: LimitPolicy) {
  return (retryAfter: number, options: LimitedRequest, _octokit: unknown, retryCount: number): boolean => {
    // `options.url` is the route template (`/repos/{owner}/{repo}/…`): no token, no body.
    const what = `${options.method} ${options.url}`;
    if (retryCount >= policy.maxRetries) {
      policy.warn(
        `GitHub's ${kind} refused ${what} again after ${retryCount} retries: giving up with GitHub's answer`,
      );
      return false;
    }
    if (retryAfter > policy.maxWaitSeconds) {
      policy.warn(
        `GitHub's ${kind} on ${what} asks for a ${retryAfter} s wait, longer than Pilot waits (${policy.maxWaitSeconds} s): giving up with GitHub's answer`,
      );
      return false;
    }
    policy.warn(
      `GitHub's ${kind} on ${what}: waiting ${retryAfter} s as GitHub asks, then retrying (${retryCount + 1} of ${policy.maxRetries})`,
    );
    policy.reserve.pause(retryAfter * policy.msPerSecond);
    return true;
  };
}

/**
 * Octokit options for both plugins. plugin-retry leaves 429 to plugin-throttling (its default would
 * retry a 429 three more times after the policy gave up, and the bound would be a lie).
 */
export function limitOptions(policy: LimitPolicy) {
  return {
    throttle: {
      onRateLimit: limitHandler('primary rate limit', policy),
      onSecondaryRateLimit: limitHandler('secondary rate limit', policy),
      retryAfterBaseValue: policy.msPerSecond,
      write: policy.pacing.write,
      notifications: policy.pacing.notifications,
    },
    retry: {
      doNotRetry: [400, 401, 403, 404, 410, 422, 429, 451],
      retryAfterBaseValue: policy.msPerSecond,
    },
  };
}

export type Octokit = ReturnType<typeof github.getOctokit>;
type OctokitOptions = NonNullable<Parameters<typeof github.getOctokit>[1]>;
type OctokitPlugin = NonNullable<Parameters<typeof github.getOctokit>[2]>;

function headersOf(error: unknown): Headers | undefined {
  if (typeof error !== 'object' || error === null || !('response' in error)) return undefined;
  const response = error.response;
  if (typeof response !== 'object' || response === null || !('headers' in response)) return undefined;
  return response.headers as Headers;
}

/** Counts every attempt into the reserve; applied first, so it is the hook nearest the wire. */
function counting(reserve: WriteReserve): OctokitPlugin {
  return (octokit) => {
    octokit.hook.wrap('request', async (send, options) => {
      reserve.noteRequest(options);
      try {
        const response = await send(options);
        reserve.noteHeaders(response.headers);
        return response;
      } catch (error) {
        reserve.noteHeaders(headersOf(error));
        throw error;
      }
    });
    return {};
  };
}

/**
 * `getOctokit` with the reserve's counter (innermost: it sees every attempt and its headers), the
 * throttling plugin and the retry plugin.
 */
export function limitedOctokit(
  token: string,
  options: OctokitOptions = {},
  policy: LimitPolicy = defaultPolicy(),
): Octokit {
  return github.getOctokit(
    token,
    { ...options, ...limitOptions(policy) },
    counting(policy.reserve),
    throttling,
    retry,
  );
}
