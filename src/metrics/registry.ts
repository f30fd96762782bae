// The pilot_* metrics, named as the seed system names them, built with prom-client on a private
// Registry (the global one would mix in whatever else shares the process). Every value comes from
// the ledger's all-time totals, so a counter only ever grows from one push to the next, whichever
// run pushes: the Pushgateway keeps one group per repository and never adds pushes up.
import {
  Counter,
  Gauge,
  Histogram,
  type MetricObjectWithValues,
  type MetricType,
  type MetricValueWithName,
  Registry,
} from 'prom-client';
import { RUN_OUTCOMES } from '../ledger/records.js';
import { DURATION_BUCKETS_SECONDS, type PeriodTotals } from '../ledger/totals.js';

/** The `kind` label values of pilot_tokens_total, each with the totals field it reads. */
const TOKEN_KINDS = [
  ['input', 'tokensIn'],
  ['output', 'tokensOut'],
  ['cache_read', 'tokensCacheRead'],
  ['cache_write', 'tokensCacheWrite'],
] as const;

/**
 * A histogram whose buckets are the ledger's counts, not observations made in this process: prom-client
 * can only `observe`, which cannot reproduce a sum of durations it never saw one by one.
 */
class LedgerHistogram extends Histogram {
  constructor(
    private readonly spec: { name: string; help: string },
    private readonly totals: PeriodTotals,
  ) {
    super({ ...spec, buckets: [...DURATION_BUCKETS_SECONDS], registers: [] });
  }

  override async get(): Promise<MetricObjectWithValues<MetricValueWithName<string>>> {
    const { name, help } = this.spec;
    const t = this.totals;
    let cumulative = 0;
    const buckets = DURATION_BUCKETS_SECONDS.map((le, i) => {
      cumulative += t.durationBuckets[i] ?? 0;
      return { labels: { le }, value: cumulative, metricName: `${name}_bucket` };
    });
    // +Inf holds every run, also those folded before buckets were counted.
    const values = [
      ...buckets,
      { labels: { le: '+Inf' }, value: t.runs.total, metricName: `${name}_bucket` },
      { labels: {}, value: t.durationMs / 1000, metricName: `${name}_sum` },
      { labels: {}, value: t.runs.total, metricName: `${name}_count` },
    ];
    // prom-client's typings declare `type` as a numeric enum it never exports at runtime; the Registry
    // writes the string it finds, as for its own Histogram.
    const type = 'histogram' as unknown as MetricType;
    return { name, help, type, values, aggregator: 'sum', collect: () => {} };
  }

  /** The Registry prefers this one when it exists (prom-client 15): both give the ledger's counts. */
  getForPromString(): Promise<MetricObjectWithValues<MetricValueWithName<string>>> {
    return this.get();
  }
}

/** What a run knows besides the ledger: queued work, when it could be counted. */
export interface Live {
  /** Work runs waiting to start; undefined leaves the gauge out rather than report a made-up 0. */
  queueDepth?: number;
}

export function buildRegistry(totals: PeriodTotals, live: Live = {}): Registry {
  const registry = new Registry();
  const registers = [registry];
  const processed = new Counter({
    name: 'pilot_issues_processed_total',
    help: 'Pilot work runs recorded in the ledger, by result.',
    labelNames: ['result'],
    registers,
  });
  for (const result of RUN_OUTCOMES) processed.inc({ result }, totals.runs.byOutcome[result] ?? 0);
  new Counter({ name: 'pilot_prs_merged_total', help: 'Pilot pull requests merged.', registers }).inc(
    totals.merges,
  );
  if (live.queueDepth !== undefined)
    new Gauge({ name: 'pilot_queue_depth', help: 'Pilot work runs queued, not yet started.', registers }).set(
      live.queueDepth,
    );
  const success = totals.runs.byOutcome.success ?? 0;
  new Gauge({
    name: 'pilot_success_rate',
    help: 'Share of recorded work runs that succeeded (0 to 1; 0 before any run).',
    registers,
  }).set(totals.runs.total ? success / totals.runs.total : 0);
  registry.registerMetric(
    new LedgerHistogram(
      { name: 'pilot_execution_duration_seconds', help: 'Duration of Pilot work runs in seconds.' },
      totals,
    ),
  );
  new Counter({
    name: 'pilot_cost_usd_total',
    help: 'Model spend of Pilot work runs in US dollars.',
    registers,
  }).inc(totals.costUsd);
  const tokens = new Counter({
    name: 'pilot_tokens_total',
    help: "Model tokens of Pilot work runs, counted by Pilot's model gateway, by kind.",
    labelNames: ['kind'],
    registers,
  });
  for (const [kind, field] of TOKEN_KINDS) tokens.inc({ kind }, totals[field]);
  return registry;
}

/** The metrics in the Prometheus text format (version 0.0.4), as pushed and as written to the file. */
export function metricsText(totals: PeriodTotals, live: Live = {}): Promise<string> {
  return buildRegistry(totals, live).metrics();
}
