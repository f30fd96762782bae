// The Actions API calls a CI fix needs: a run's failed jobs, a job's log (GitHub answers 302 to a signed
// download URL; Octokit's fetch follows it, and drops the Authorization header on a foreign host), and
// the rerun of a run's failed jobs (needs `actions: write`). Answers are parsed with zod at this edge.
import { z } from 'zod';
import type { Octokit, Repo } from './client.js';

const Step = z.object({ name: z.string(), conclusion: z.string().nullish(), number: z.number().optional() });
const Job = z.object({
  id: z.number().int().positive(),
  name: z.string(),
  conclusion: z.string().nullish(),
  head_sha: z.string().optional(),
  steps: z.array(Step).nullish(),
});
const Jobs = z.object({ jobs: z.array(Job) });

export interface FailedJobRef {
  id: number;
  name: string;
  failedStep?: string;
}

/** At most this many failed jobs are read: the first failures say enough, and logs are large. */
export const MAX_FAILED_JOBS = 3;
/** A log longer than this is cut (a runaway test can print gigabytes). */
export const MAX_LOG_CHARS = 5_000_000;

/** The run's jobs that failed, first ones first, each with its first failing step when GitHub lists steps. */
export async function failedJobs(octokit: Octokit, repo: Repo, runId: number): Promise<FailedJobRef[]> {
  const { data } = await octokit.rest.actions.listJobsForWorkflowRun({
    ...repo,
    run_id: runId,
    filter: 'latest',
    per_page: 100,
  });
  const parsed = Jobs.parse(data);
  return parsed.jobs
    .filter((j) => j.conclusion === 'failure')
    .slice(0, MAX_FAILED_JOBS)
    .map((j) => ({
      id: j.id,
      name: j.name,
      failedStep: (j.steps ?? []).find((s) => s.conclusion === 'failure')?.name,
    }));
}

/** A job's log text (after GitHub's redirect), cut to MAX_LOG_CHARS. */
export async function jobLog(octokit: Octokit, repo: Repo, jobId: number): Promise<string> {
  const { data } = await octokit.rest.actions.downloadJobLogsForWorkflowRun({ ...repo, job_id: jobId });
  const text =
    typeof data === 'string' ? data : data instanceof ArrayBuffer ? new TextDecoder().decode(data) : '';
  return text.length > MAX_LOG_CHARS ? text.slice(0, MAX_LOG_CHARS) : text;
}

/** Asks GitHub to rerun the run's failed jobs (same run id, next attempt). */
export async function rerunFailedJobs(octokit: Octokit, repo: Repo, runId: number): Promise<void> {
  await octokit.rest.actions.reRunWorkflowFailedJobs({ ...repo, run_id: runId });
}
