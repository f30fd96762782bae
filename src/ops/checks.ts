// One health check of one service, and all of them with bounded concurrency. Every check has its own
// deadline and resolves (never rejects, never hangs): a check that cannot finish is a failed check that
// says it timed out. What a service answered is kept only as short text, for the incident and the agent,
// which treat it as untrusted.
import { lookup } from 'node:dns/promises';
import { connect } from 'node:net';
import { messageOf } from '../errors.js';
import { type CommandUser, runShell } from './command.js';
import type { Check, Inventory, Service } from './inventory.js';

const MAX_BODY = 64_000;
const MAX_DETAIL = 2_000;

export interface CheckResult {
  label: string;
  ok: boolean;
  latencyMs: number;
  /** Why it failed, or what it saw; the service's own words, untrusted. */
  detail: string;
}

export interface ServiceResult {
  service: string;
  healthy: boolean;
  /** The slowest check's latency. */
  latencyMs: number;
  checks: CheckResult[];
}

export interface CheckContext {
  cwd: string;
  commandUser?: CommandUser;
}

export function checkLabel(check: Check): string {
  if (check.name) return check.name;
  if (check.type === 'http') return `http ${check.url}`;
  if (check.type === 'tcp') return `tcp ${check.host}:${check.port}`;
  if (check.type === 'dns') return `dns ${check.host}`;
  return `command ${check.run.slice(0, 60)}`;
}

/** Rejects after `ms` with a plain reason; the loser of the race is abandoned, not awaited. */
function deadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms / 1000} s`)), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

async function readCapped(res: Response): Promise<string> {
  const reader = res.body?.getReader();
  if (!reader) return '';
  const decoder = new TextDecoder();
  let text = '';
  while (text.length < MAX_BODY) {
    const { done, value } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  await reader.cancel().catch(() => undefined);
  return text.slice(0, MAX_BODY);
}

async function httpCheck(check: Extract<Check, { type: 'http' }>, ms: number): Promise<string | null> {
  const started = Date.now();
  const res = await fetch(check.url, { redirect: 'manual', signal: AbortSignal.timeout(ms) });
  const body = await readCapped(res);
  const took = Date.now() - started;
  if (res.status !== check.status) return `status ${res.status}, expected ${check.status}: ${body}`;
  if (check.body && !body.includes(check.body))
    return `the body does not contain ${JSON.stringify(check.body)}: ${body}`;
  if (check['body-regex'] && !new RegExp(check['body-regex']).test(body))
    return `the body does not match /${check['body-regex']}/: ${body}`;
  const max = check['max-latency-ms'];
  if (max !== undefined && took > max) return `answered in ${took} ms, more than ${max} ms`;
  return null;
}

function tcpCheck(host: string, port: number): Promise<string | null> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(null);
    });
    socket.once('error', (error) => resolve(`cannot connect: ${messageOf(error)}`));
  });
}

async function dnsCheck(host: string): Promise<string | null> {
  const found = await lookup(host, { all: true });
  return found.length ? null : `${host} resolves to no address`;
}

async function commandCheck(check: Extract<Check, { type: 'command' }>, ms: number, ctx: CheckContext) {
  const out = await runShell(check.run, { cwd: ctx.cwd, timeoutMs: ms, user: ctx.commandUser });
  if (out.timedOut) return `timed out after ${ms / 1000} s: ${out.output}`;
  return out.code === check['exit-code']
    ? null
    : `exit code ${out.code}, expected ${check['exit-code']}: ${out.output}`;
}

function attempt(check: Check, ms: number, ctx: CheckContext): Promise<string | null> {
  if (check.type === 'http') return httpCheck(check, ms);
  if (check.type === 'tcp') return tcpCheck(check.host, check.port);
  if (check.type === 'dns') return dnsCheck(check.host);
  return commandCheck(check, ms, ctx);
}

export async function runCheck(check: Check, ctx: CheckContext): Promise<CheckResult> {
  const ms = check['timeout-seconds'] * 1000;
  const started = Date.now();
  let failure: string | null;
  try {
    // The outer deadline holds even where a client ignores its own (getaddrinfo cannot be aborted).
    failure = await deadline(attempt(check, ms, ctx), ms + 500);
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
    failure =
      error instanceof Error && error.name === 'TimeoutError'
        ? `timed out after ${ms / 1000} s`
        : `${messageOf(error)}${cause}`;
  }
  const latencyMs = Date.now() - started;
  return {
    label: checkLabel(check),
    ok: failure === null,
    latencyMs,
    detail: (failure ?? 'ok').slice(0, MAX_DETAIL),
  };
}

async function checkService(service: Service, ctx: CheckContext, pool: Pool): Promise<ServiceResult> {
  const checks = await Promise.all(service.checks.map((c) => pool(() => runCheck(c, ctx))));
  return {
    service: service.name,
    healthy: checks.every((c) => c.ok),
    latencyMs: Math.max(0, ...checks.map((c) => c.latencyMs)),
    checks,
  };
}

type Pool = <T>(task: () => Promise<T>) => Promise<T>;

/** At most `limit` tasks at once, the rest waiting in order. */
export function boundedPool(limit: number): Pool {
  let active = 0;
  const waiting: Array<() => void> = [];
  return async (task) => {
    if (active >= limit) await new Promise<void>((go) => waiting.push(go));
    active++;
    try {
      return await task();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}

/** Every service's checks, at most `inventory.concurrency` checks at a time. */
export function runAllChecks(inventory: Inventory, ctx: CheckContext): Promise<ServiceResult[]> {
  const pool = boundedPool(inventory.concurrency);
  return Promise.all(inventory.services.map((s) => checkService(s, ctx, pool)));
}
