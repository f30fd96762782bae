// Reading a GitHub Environment's protection before Pilot relies on it (issue 19, fail closed): a job
// that names a missing environment makes GitHub create it unprotected, and required reviewers exist
// for private repositories only on some plans, so "bound to pilot-prod" proves nothing by itself.
// https://docs.github.com/en/rest/deployments/environments#get-an-environment
import { z } from 'zod';
import { type Octokit, type Repo, statusOf } from './client.js';

const Environment = z.object({
  name: z.string(),
  html_url: z.string().optional(),
  protection_rules: z
    .array(
      z.object({
        type: z.string(),
        reviewers: z
          .array(z.object({ reviewer: z.object({ login: z.string().optional() }).nullish() }))
          .optional(),
      }),
    )
    .optional(),
});

export type EnvironmentProtection = { exists: false } | { exists: true; url?: string; reviewers: number };

/** The environment's required reviewers (0 = no `required_reviewers` rule), or that it does not exist. */
export async function readEnvironment(
  octokit: Octokit,
  repo: Repo,
  name: string,
): Promise<EnvironmentProtection> {
  try {
    const { data } = await octokit.request('GET /repos/{owner}/{repo}/environments/{environment_name}', {
      ...repo,
      environment_name: name,
    });
    const env = Environment.parse(data);
    const rule = env.protection_rules?.find((r) => r.type === 'required_reviewers');
    return { exists: true, url: env.html_url, reviewers: rule?.reviewers?.length ?? 0 };
  } catch (error) {
    if (statusOf(error) === 404) return { exists: false };
    throw error;
  }
}
