// What ops mode writes on incident issues. Check output is the service's own words (or an attacker's,
// if the service is compromised): redacted, stripped of anything that could open or close a hidden
// comment, ping a team or close an issue, and shown in a code block.

import type { ServiceResult } from '../ops/checks.js';
import type { IncidentDoc } from '../ops/incident.js';
import { neutraliseAgentText } from '../security/outgoing.js';
import { redact } from '../security/redact.js';

/** Untrusted text as a fenced block whose fence no backtick run inside can close. */
export function untrustedBlock(text: string): string {
  const clean = neutraliseAgentText(redact(text));
  const longest = Math.max(2, ...[...clean.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}text\n${clean}\n${fence}`;
}

export function checkLines(result: ServiceResult): string {
  const rows = result.checks.map(
    (c) => `| ${c.ok ? '✅' : '❌'} | ${c.label.replace(/\|/g, '\\|')} | ${c.latencyMs} ms |`,
  );
  const failing = result.checks.filter((c) => !c.ok);
  const details = failing.map((c) => `**${c.label.replace(/[*_`]/g, '')}**\n\n${untrustedBlock(c.detail)}`);
  return ['| | check | latency |', '| --- | --- | --- |', ...rows, '', ...details].join('\n');
}

export function incidentTitle(service: string): string {
  return `Ops incident: ${service} is failing`;
}

export function incidentBody(
  result: ServiceResult,
  doc: IncidentDoc,
  runUrl: string,
  healAfter: number,
): string {
  return [
    `### Service \`${doc.service}\` is failing`,
    '',
    `Failing since ${doc.since}; last seen failing ${doc.lastFailure} ([run](${runUrl})); ${doc.failingRuns} failing run(s) so far.`,
    `Pilot closes this incident after ${healAfter} healthy run(s) in a row (now ${doc.healthyRuns}).`,
    '',
    checkLines(result),
    '',
    'Tier 1 (observe): Pilot reports and changes nothing. The check output above is what the service answered, shown as untrusted text.',
  ].join('\n');
}

export function healedComment(doc: IncidentDoc, now: string, runUrl: string): string {
  return [
    `✅ \`${doc.service}\` is healthy again: ${doc.healthyRuns} healthy run(s) in a row ([run](${runUrl})).`,
    '',
    `| failing since | last failure | failing runs | closed |`,
    '| --- | --- | --- | --- |',
    `| ${doc.since} | ${doc.lastFailure} | ${doc.failingRuns} | ${now} |`,
  ].join('\n');
}

export function relapseComment(result: ServiceResult, runUrl: string): string {
  return [`❌ \`${result.service}\` is failing again ([run](${runUrl})).`, '', checkLines(result)].join('\n');
}
