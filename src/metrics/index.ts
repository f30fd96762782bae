// The pilot_* metrics: built from the ledger's all-time totals, pushed to a Pushgateway, written to a file.

export { OPS_PUSH_JOB, type OpsSample, opsMetricsText } from './ops.js';
export { groupUrl, PUSH_JOB, PushFailed, type PushTarget, pushGroup } from './push.js';
export { buildRegistry, type Live, metricsText } from './registry.js';
