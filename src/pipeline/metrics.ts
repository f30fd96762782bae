// After a work run is recorded, and from the sweep: the repository's pilot_* metrics, from the ledger's
// all-time totals, written to a `.prom` file (an output, named in the job summary, for a workflow to
// upload) and, with `pushgateway-url`, PUT to the Pushgateway as the one group of this repository.
// Nothing here fails the run: an unreadable ledger or a refused push is a warning.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as core from '@actions/core';
import { ALL_TIME } from '../ledger/layout.js';
import { readTotals } from '../ledger/read.js';
import { metricsText, PUSH_JOB, type PushTarget, pushGroup } from '../metrics/index.js';
import { failureMessage } from '../report/github-errors.js';
import { cellHtml } from '../report/summary-cell.js';
import { redact, registerSecret } from '../security/redact.js';
import type { Deps } from './deps.js';
import { otherRuns } from './other-runs.js';

export const METRICS_FILE = 'pilot-metrics.prom';

/** The Pushgateway from the configuration, its credentials registered so no log line shows them. */
export function pushTarget(config: Deps['config']): PushTarget | undefined {
  const { pushgatewayUrl: url, pushgatewayUsername: username, pushgatewayPassword: password } = config;
  if (!url) return undefined;
  const token = config.pushgatewayToken;
  for (const secret of [password, token]) registerSecret(secret);
  if (token) return { url, auth: { token } };
  if (username && password) {
    registerSecret(Buffer.from(`${username}:${password}`).toString('base64'));
    return { url, auth: { username, password } };
  }
  return { url };
}

/** Work runs of this repository waiting to start (queued, or held by a concurrency group). */
export function queuedRuns(deps: Deps): Promise<number> {
  return otherRuns(deps, ['queued', 'pending']);
}

async function queueDepth(deps: Deps): Promise<number | undefined> {
  try {
    return await queuedRuns(deps);
  } catch (error) {
    core.warning(
      `Metrics: could not count queued runs (${failureMessage(error)}); pilot_queue_depth is left out`,
    );
    return undefined;
  }
}

async function push(deps: Deps, text: string): Promise<string> {
  const target = pushTarget(deps.config);
  if (!target) return 'not pushed (no `pushgateway-url`)';
  const repository = `${deps.ctx.repo.owner}/${deps.ctx.repo.repo}`;
  try {
    await pushGroup(target, repository, text);
    core.info(`Metrics: replaced the group job="${PUSH_JOB}", repository="${repository}" on the Pushgateway`);
    return `pushed to the Pushgateway (group \`job="${PUSH_JOB}", repository="${repository}"\`)`;
  } catch (error) {
    const why = redact(failureMessage(error));
    core.warning(`Metrics: could not push to the Pushgateway (${why}); the .prom file has the same text`);
    return `**not pushed**: ${why}`;
  }
}

/**
 * Writes (and pushes) the metrics; returns the file's path, or undefined when the ledger could not
 * be read. Called after the run's record is folded, so the totals include it when the fold won.
 */
export async function reportMetrics(deps: Deps): Promise<string | undefined> {
  let text: string;
  try {
    const where = { octokit: deps.octokit, repo: deps.ctx.repo };
    const { totals } = await readTotals(where, ALL_TIME);
    text = await metricsText(totals, { queueDepth: await queueDepth(deps) });
  } catch (error) {
    core.warning(
      `Metrics: could not read the ledger's totals (${failureMessage(error)}); no metrics this run`,
    );
    return undefined;
  }
  const file = path.join(deps.ctx.runnerTemp, METRICS_FILE);
  const written = await writeFile(file, text).then(
    () => true,
    (error: unknown) => {
      core.warning(`Metrics: could not write ${file} (${failureMessage(error)})`);
      return false;
    },
  );
  const pushed = await push(deps, text);
  const where = written ? `\`${file}\` (output \`metrics-file\`)` : 'no file';
  // HTML, like the rest of the summary (see report/summary-cell.ts): no literal backticks.
  await core.summary.addRaw(`\n\n${cellHtml(redact(`Metrics: ${where}; ${pushed}.`))}\n`).write();
  return written ? file : undefined;
}
