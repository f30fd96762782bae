// `phase: ops`: reads `.github/pilot-ops.yml`, runs every health check (bounded concurrency, a deadline
// per check), and keeps one incident issue per failing service (tier 1: observe and report). The job
// summary shows each service's state, latency and since when; pilot_ops_* metrics go to the
// Pushgateway when configured. `dry-run: true` shows what would happen and writes nothing.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as core from '@actions/core';
import { defaultProbe, ensureAgentUser } from '../agent/isolation/user.js';
import { OPS_PUSH_JOB, type OpsSample, opsMetricsText, pushGroup } from '../metrics/index.js';
import { type CheckContext, runAllChecks, type ServiceResult } from '../ops/checks.js';
import type { CommandUser } from '../ops/command.js';
import { type IncidentStep, nextStep } from '../ops/incident.js';
import { INVENTORY_PATH, type Inventory, readInventory } from '../ops/inventory.js';
import { failureMessage } from '../report/github-errors.js';
import type { Outcome } from '../report/outputs.js';
import { escapeHtml } from '../report/summary-cell.js';
import { redact } from '../security/redact.js';
import type { Deps } from './deps.js';
import { pushTarget } from './metrics.js';
import { applyStep, openIncidents } from './ops-incidents.js';
import { remedy } from './ops-remedy.js';

export const OPS_METRICS_FILE = 'pilot-ops-metrics.prom';

interface Row {
  result: ServiceResult;
  step: IncidentStep;
  incident?: { number: number; url: string };
  since?: string;
  /** What tier 2 did (or why not), after the agent's diagnosis. */
  remedy?: string;
}

/**
 * Commands run as the agent's unprivileged user when Pilot runs as root (so they cannot read Pilot's
 * /proc/<pid>/environ); otherwise as Pilot's user, always with a minimal environment.
 */
async function commandUser(): Promise<{ user?: CommandUser; note: string }> {
  const probe = defaultProbe();
  if (probe.euid !== 0) return { note: "commands run as Pilot's own user, with a minimal environment" };
  const found = await ensureAgentUser(probe, 'root');
  if (!found.ok) return { note: `commands run as root with a minimal environment (${found.reason})` };
  return { user: found.user, note: `commands run as ${found.user.name}, with a minimal environment` };
}

function would(step: IncidentStep, incident: number | undefined): string {
  const on = incident ? ` #${incident}` : '';
  if (step.kind === 'none') return 'nothing';
  if (step.kind === 'open') return 'open an incident issue';
  if (step.kind === 'still-failing')
    return `update incident${on}${step.relapsed ? ' and say it relapsed' : ''}`;
  if (step.kind === 'healthy-run') return `count healthy run ${step.doc.healthyRuns} on incident${on}`;
  return `close incident${on} with a summary`;
}

/** What tiers 1-3 would do for a failing service, for a dry run. */
function dryRunTiers(inventory: Inventory, name: string): string {
  const books = inventory.services.find((s) => s.name === name)?.playbooks ?? [];
  const list = books.map(
    (b) => `${b.name} (tier ${b.tier}${b.tier === 2 ? ', within its cooldown' : ', after an approval'})`,
  );
  return `the agent would investigate read-only${list.length ? ` and could name: ${list.join(', ')}` : ''}`;
}

async function tier1(
  deps: Deps,
  inventory: Inventory,
  results: ServiceResult[],
  ctx: CheckContext,
): Promise<Row[]> {
  const open = await openIncidents(deps);
  const now = new Date(deps.now()).toISOString();
  const rows: Row[] = [];
  for (const result of results) {
    const current = open.get(result.service);
    const step = nextStep(result.service, result.healthy, current?.doc ?? null, inventory['heal-after'], now);
    const since = step.kind === 'none' ? undefined : step.doc.since;
    if (deps.config.dryRun) {
      const later = result.healthy ? undefined : dryRunTiers(inventory, result.service);
      core.info(
        `Ops (dry run): ${result.service}: would ${would(step, current?.number)}${later ? `; ${later}` : ''}`,
      );
      rows.push({ result, step, incident: current, since, remedy: later });
      continue;
    }
    const incident = await applyStep(deps, result, step, current, inventory['heal-after']);
    const service = inventory.services.find((s) => s.name === result.service);
    const failing = step.kind === 'open' || step.kind === 'still-failing';
    const done =
      failing && incident && service ? await remedy(deps, service, result, incident, ctx) : undefined;
    rows.push({ result, step, incident, since, remedy: done });
  }
  return rows;
}

async function reportMetrics(deps: Deps, rows: Row[]): Promise<string> {
  const samples: OpsSample[] = rows.map((r) => ({
    service: r.result.service,
    up: r.result.healthy,
    latencyMs: r.result.latencyMs,
    incidentOpen: r.step.kind !== 'none' && r.step.kind !== 'close',
  }));
  const text = await opsMetricsText(samples, deps.now());
  const file = path.join(deps.ctx.runnerTemp, OPS_METRICS_FILE);
  await writeFile(file, text);
  const target = pushTarget(deps.config);
  if (!target) return `Metrics: \`${file}\`; not pushed (no \`pushgateway-url\`).`;
  if (deps.config.dryRun) return `Metrics: \`${file}\`; not pushed (dry run).`;
  try {
    await pushGroup(target, deps.ctx.repository, text, OPS_PUSH_JOB);
    return `Metrics: \`${file}\`; pushed to the Pushgateway (group \`job="${OPS_PUSH_JOB}"\`).`;
  } catch (error) {
    const why = redact(failureMessage(error));
    core.warning(`Ops metrics: could not push to the Pushgateway (${why})`);
    return `Metrics: \`${file}\`; **not pushed**: ${why}`;
  }
}

function stateCell(row: Row): string {
  if (row.result.healthy)
    return row.incident ? `healthy (${row.step.kind === 'close' ? 'healed' : 'healing'})` : 'healthy';
  const failing = row.result.checks.filter((c) => !c.ok).map((c) => c.label);
  return `failing: ${failing.join(', ')}`;
}

async function writeOpsSummary(deps: Deps, rows: Row[], notes: string[]): Promise<void> {
  const header = ['Service', 'State', 'Latency', 'Since', 'Incident', deps.config.dryRun ? 'Would' : 'Done'];
  const table = rows.map((row) => [
    row.result.service,
    stateCell(row),
    `${row.result.latencyMs} ms`,
    row.since ?? '—',
    row.incident ? `#${row.incident.number}` : '—',
    `${would(row.step, row.incident?.number)}${row.remedy ? `; ${row.remedy}` : ''}`,
  ]);
  const failing = rows.filter((r) => !r.result.healthy).length;
  const title = `Pilot ops${deps.config.dryRun ? ' (dry run: nothing changed)' : ''}: ${rows.length} service(s), ${failing} failing`;
  await core.summary
    .addHeading(escapeHtml(title), 3)
    .addTable([
      header.map((data) => ({ data, header: true })),
      ...table.map((r) => r.map((c) => escapeHtml(redact(c)))),
    ])
    .addRaw(notes.map((n) => `\n\n${escapeHtml(redact(n))}\n`).join(''))
    .write();
}

export async function ops(deps: Deps): Promise<Outcome> {
  const inventory = readInventory(deps.ctx.workspace, INVENTORY_PATH);
  const runner = await commandUser();
  const ctx: CheckContext = { cwd: runner.user ? '/' : deps.ctx.workspace, commandUser: runner.user };
  const results = await core.group(`Ops: checking ${inventory.services.length} service(s)`, async () => {
    const all = await runAllChecks(inventory, ctx);
    for (const r of all) core.info(`${r.service}: ${r.healthy ? 'healthy' : 'failing'} (${r.latencyMs} ms)`);
    return all;
  });
  const rows = await tier1(deps, inventory, results, ctx);
  const metrics = await reportMetrics(deps, rows);
  await writeOpsSummary(deps, rows, [runner.note, metrics]);
  return { conclusion: 'success' };
}
