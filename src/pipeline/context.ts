// What the runner tells the step about this run, read from its environment once.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { parseRepository, type Repo } from '../github/client.js';

const RunnerEnv = z.object({
  GITHUB_REPOSITORY: z.string().regex(/^[^/]+\/[^/]+$/, 'expected owner/repo'),
  GITHUB_EVENT_NAME: z.string().min(1),
  GITHUB_EVENT_PATH: z.string().min(1),
  GITHUB_RUN_ID: z.coerce.number().int().positive(),
  GITHUB_RUN_ATTEMPT: z.coerce.number().int().positive().default(1),
  GITHUB_SERVER_URL: z.string().url().default('https://github.com'),
  GITHUB_WORKSPACE: z.string().min(1),
  RUNNER_TEMP: z.string().min(1),
  GITHUB_WORKFLOW: z.string().default(''),
  GITHUB_WORKFLOW_REF: z.string().default(''),
});

export interface RunContext {
  repo: Repo;
  repository: string;
  eventName: string;
  payload: unknown;
  runId: number;
  runAttempt: number;
  serverUrl: string;
  workspace: string;
  runnerTemp: string;
  runUrl: string;
  workflowUrl: string;
}

export function readRunContext(env: NodeJS.ProcessEnv = process.env): RunContext {
  const parsed = RunnerEnv.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(
      `Pilot must run as a GitHub Actions step; the runner environment is incomplete (${problems})`,
    );
  }
  const e = parsed.data;
  const payload: unknown = JSON.parse(readFileSync(e.GITHUB_EVENT_PATH, 'utf8'));
  const repoUrl = `${e.GITHUB_SERVER_URL}/${e.GITHUB_REPOSITORY}`;
  // GITHUB_WORKFLOW_REF is "owner/repo/.github/workflows/file.yml@ref": link the workflow's run list.
  const workflowFile = /\/(\.github\/workflows\/[^@]+)@/.exec(e.GITHUB_WORKFLOW_REF)?.[1];
  return {
    repo: parseRepository(e.GITHUB_REPOSITORY),
    repository: e.GITHUB_REPOSITORY,
    eventName: e.GITHUB_EVENT_NAME,
    payload,
    runId: e.GITHUB_RUN_ID,
    runAttempt: e.GITHUB_RUN_ATTEMPT,
    serverUrl: e.GITHUB_SERVER_URL,
    workspace: e.GITHUB_WORKSPACE,
    runnerTemp: e.RUNNER_TEMP,
    runUrl: `${repoUrl}/actions/runs/${e.GITHUB_RUN_ID}`,
    workflowUrl: workflowFile
      ? `${repoUrl}/actions/workflows/${workflowFile.split('/').pop()}`
      : `${repoUrl}/actions`,
  };
}

export function runUrlOf(ctx: RunContext, runId: number): string {
  return `${ctx.serverUrl}/${ctx.repository}/actions/runs/${runId}`;
}
