// An incident is one GitHub issue per failing service. Its state (since when it fails, how many
// healthy runs it has seen since) lives in a hidden marker at the end of the issue body, sealed with
// pilot-state-key for that issue number: an issue anyone else opened, or a marker copied from another
// issue or pasted into a service's response, never counts as Pilot's incident.
import { z } from 'zod';
import type { StateSeal } from '../security/state-key.js';

export const INCIDENT_LABEL = 'pilot-ops';
const PREFIX = '<!-- pilot-ops-incident';
const SUFFIX = '-->';
const MAC = ' mac:';

// Version 1. Fields added later must be optional (older markers then still read).
export const IncidentDoc = z.object({
  v: z.literal(1),
  service: z.string().min(1).max(40),
  /** When the service was first seen failing (ISO 8601). */
  since: z.string(),
  /** The last run that saw it fail. */
  lastFailure: z.string(),
  /** Healthy runs in a row since the last failure; the incident closes at heal-after. */
  healthyRuns: z.number().int().min(0),
  /** Failing runs seen while the incident was open. */
  failingRuns: z.number().int().min(1),
});
export type IncidentDoc = z.infer<typeof IncidentDoc>;

export function renderIncidentMarker(doc: IncidentDoc, seal: StateSeal, issue: number): string {
  // `>` escaped so the JSON can never close the HTML comment early.
  const json = JSON.stringify(doc).replace(/>/g, '\\u003e');
  const mac = seal.sign({ purpose: 'ops-incident', issue }, json);
  return `${PREFIX} ${json}${MAC}${mac} ${SUFFIX}`;
}

/** The incident of an issue body: only a trailing marker that verifies for this issue; else null. */
export function readIncidentMarker(body: string, seal: StateSeal, issue: number): IncidentDoc | null {
  const trimmed = body.trimEnd();
  const start = trimmed.lastIndexOf(PREFIX);
  if (start < 0 || !trimmed.endsWith(SUFFIX)) return null;
  const raw = trimmed.slice(start + PREFIX.length, trimmed.length - SUFFIX.length).trim();
  const cut = raw.lastIndexOf(MAC);
  if (cut < 0) return null;
  const json = raw.slice(0, cut);
  if (!seal.verify({ purpose: 'ops-incident', issue }, json, raw.slice(cut + MAC.length))) return null;
  try {
    const parsed = IncidentDoc.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** What this run does about one service, decided from its result and its open incident (if any). */
export type IncidentStep =
  | { kind: 'none' }
  | { kind: 'open'; doc: IncidentDoc }
  | { kind: 'still-failing'; doc: IncidentDoc; relapsed: boolean }
  | { kind: 'healthy-run'; doc: IncidentDoc }
  | { kind: 'close'; doc: IncidentDoc };

export function nextStep(
  service: string,
  healthy: boolean,
  open: IncidentDoc | null,
  healAfter: number,
  now: string,
): IncidentStep {
  if (!open) {
    if (healthy) return { kind: 'none' };
    return {
      kind: 'open',
      doc: { v: 1, service, since: now, lastFailure: now, healthyRuns: 0, failingRuns: 1 },
    };
  }
  if (!healthy) {
    const doc = { ...open, lastFailure: now, healthyRuns: 0, failingRuns: open.failingRuns + 1 };
    return { kind: 'still-failing', doc, relapsed: open.healthyRuns > 0 };
  }
  const doc = { ...open, healthyRuns: open.healthyRuns + 1 };
  return doc.healthyRuns >= healAfter ? { kind: 'close', doc } : { kind: 'healthy-run', doc };
}

/** The body with its trailing marker replaced by `marker` (appended when there was none). */
export function withIncidentMarker(body: string, marker: string): string {
  const trimmed = body.trimEnd();
  const start = trimmed.lastIndexOf(PREFIX);
  const visible = start >= 0 && trimmed.endsWith(SUFFIX) ? trimmed.slice(0, start).trimEnd() : trimmed;
  return `${visible}\n\n${marker}`;
}
