// The pilot_* metrics: built from the ledger's all-time totals, pushed to a Pushgateway, written to a file.

export { groupUrl, PUSH_JOB, PushFailed, type PushTarget, pushGroup } from './push.js';
export { buildRegistry, type Live, metricsText } from './registry.js';
