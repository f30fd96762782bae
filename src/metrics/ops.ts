// Ops mode's pilot_ops_* metrics: what this run's health checks saw. They go to their own Pushgateway
// group (job `pilot_ops`), because a PUT replaces a whole group and the `pilot` group holds the ledger's
// totals, pushed by other runs.
import { Gauge, Registry } from 'prom-client';

export const OPS_PUSH_JOB = 'pilot_ops';

export interface OpsSample {
  service: string;
  up: boolean;
  latencyMs: number;
  incidentOpen: boolean;
}

export function opsMetricsText(samples: OpsSample[], nowMs: number): Promise<string> {
  const registry = new Registry();
  const gauge = (name: string, help: string, labelNames: string[] = []) =>
    new Gauge({ name, help, labelNames, registers: [registry] });
  const up = gauge('pilot_ops_service_up', '1 when every check of the service passed in the last run', [
    'service',
  ]);
  const latency = gauge(
    'pilot_ops_check_latency_seconds',
    "The slowest check's latency of the service in the last run",
    ['service'],
  );
  const incident = gauge('pilot_ops_incident_open', '1 while the service has an open incident issue', [
    'service',
  ]);
  for (const s of samples) {
    up.set({ service: s.service }, s.up ? 1 : 0);
    latency.set({ service: s.service }, s.latencyMs / 1000);
    incident.set({ service: s.service }, s.incidentOpen ? 1 : 0);
  }
  gauge('pilot_ops_services', 'Services in the inventory').set(samples.length);
  gauge('pilot_ops_last_run_timestamp_seconds', 'When the last ops run checked the services').set(
    Math.floor(nowMs / 1000),
  );
  return registry.metrics();
}
