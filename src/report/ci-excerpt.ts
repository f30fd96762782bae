// The useful part of a failed CI job's log, and the failure's signature. A job log is UNTRUSTED text:
// anything the branch's code, its tests or a dependency printed ends up in it (a forged Pilot marker,
// "ignore your instructions", a secret a test echoed). So this module only cuts and normalises; the
// prompt quotes the excerpt as data (src/prompt/build.ts) and anything published passes
// `publishableExcerpt`. Pure: no I/O, so every rule here is unit-tested.
import { stripHidden } from '../prompt/sanitize.js';
import { neutraliseAgentText } from '../security/outgoing.js';
import { redact } from '../security/redact.js';

/** One failed job as the Actions API describes it, with its log text. */
export interface FailedJob {
  name: string;
  /** The first step whose conclusion is `failure`, when the API lists steps. */
  failedStep?: string;
  log: string;
}

export interface CiExcerpt {
  job: string;
  step: string;
  /** The first error line, normalised (see normaliseError). */
  firstError: string;
  /** Job + step + normalised first error: the same failure on a later commit has the same one. */
  signature: string;
  /** The error region: lines around the first error and the `##[error]` annotations (bounded). */
  text: string;
}

/** How much log the model gets per job: enough for a stack trace, never a whole log. */
export const EXCERPT_MAX_CHARS = 4_000;
const BEFORE = 5;
const AFTER = 25;
const MAX_ANNOTATIONS = 5;
const SIGNATURE_MAX = 300;

// Each line of a downloaded Actions log starts with an ISO timestamp.
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z ?/;
const ANNOTATION = /^##\[error\]/;
// The runner's own closing line says nothing about the failure: it is not the "first error".
const EXIT_LINE = /^##\[error\]Process completed with exit code \d+\.?$/;
const ERROR_LINE = /\b(?:error|fail(?:ed|ure|ing)?|panic|exception|traceback|assert(?:ion)?)\b|✗|✕/i;
const NOISE = /^##\[(?:group|endgroup|debug)\]/;

/** Log lines without timestamps, carriage returns or invisible characters. */
export function logLines(log: string): string[] {
  return stripHidden(log)
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => line.replace(TIMESTAMP, '').trimEnd());
}

function firstErrorIndex(lines: string[]): number {
  const real = lines.findIndex((l) => !NOISE.test(l) && !EXIT_LINE.test(l) && ERROR_LINE.test(l));
  if (real >= 0) return real;
  return lines.findIndex((l) => ANNOTATION.test(l));
}

/**
 * The first error with what varies between runs taken out (temporary directories, hex ids, numbers,
 * runner paths), so a flaky timing or a new tmp dir does not make a new signature.
 */
export function normaliseError(line: string): string {
  return line
    .replace(/^##\[error\]/, '')
    .replace(/\/home\/runner\/work\/[^/\s]+\/[^/\s]+\//g, '')
    .replace(/(?:\/tmp|\/var\/folders|\/private\/var)\/[^\s:'"`)]*/g, '<tmp>')
    .replace(/\b(?:0x)?[0-9a-f]{7,}\b/gi, '<hex>')
    .replace(/\d+(?:\.\d+)?/g, '<n>')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 200);
}

function signatureOf(job: string, step: string, firstError: string): string {
  const clip = (s: string) => s.replace(/\s+/g, ' ').trim().slice(0, 80);
  return `${clip(job)} / ${clip(step)} / ${firstError}`.slice(0, SIGNATURE_MAX);
}

/** The error region of one failed job's log and its signature. */
export function extractExcerpt(job: FailedJob, maxChars = EXCERPT_MAX_CHARS): CiExcerpt {
  // Redacted first: a test that echoes a token must not carry it into the prompt or a comment.
  const lines = logLines(redact(job.log));
  const at = firstErrorIndex(lines);
  const step = job.failedStep ?? 'unknown step';
  const region = at < 0 ? lines.slice(-AFTER) : lines.slice(Math.max(0, at - BEFORE), at + AFTER);
  const annotations = lines.filter((l) => ANNOTATION.test(l)).slice(0, MAX_ANNOTATIONS);
  const extra = annotations.filter((a) => !region.includes(a));
  const body = [...region.filter((l) => !NOISE.test(l)), ...(extra.length ? ['', ...extra] : [])]
    .join('\n')
    .trim();
  const text = body.length > maxChars ? `${body.slice(0, maxChars)}\n[… log excerpt cut]` : body;
  const firstError = normaliseError(at < 0 ? '' : lines[at]) || 'no error line found';
  return { job: job.name, step, firstError, signature: signatureOf(job.name, step, firstError), text };
}

/**
 * True when the excerpt names a path the task changed: then the failure is probably Pilot's, and a
 * rerun would only waste time. Simple on purpose: a path, or its file name with an extension, appearing
 * anywhere in the region.
 */
export function namesChangedPath(text: string, changed: readonly string[]): boolean {
  return changed.some((p) => {
    const name = p.split('/').at(-1) ?? p;
    return text.includes(p) || (name.includes('.') && name.length > 3 && text.includes(name));
  });
}

/** What a comment may show of an excerpt: redacted, with no way to open a hidden comment or ping anyone. */
export function publishableExcerpt(text: string, max = 1_500): string {
  const safe = redact(neutraliseAgentText(text)).replace(/`{3,}/g, "'''");
  return safe.length > max ? `${safe.slice(0, max)}\n[…]` : safe;
}
