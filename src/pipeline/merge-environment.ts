// Which of `.github/pilot.yml`'s `environments:` govern a task's merge (issue 19 item 2): those the
// issue's `env:<name>` labels name and those whose branch is the PR's base. All of them apply, so a
// label can only add conditions (a triager's `env:dev` never lifts prod's approval from a PR to the
// prod branch). An environment that requires approval is read from GitHub before Pilot relies on it:
// without a `required_reviewers` rule it is no gate at all, and Pilot refuses to merge there.
import type { EnvironmentSpec } from '../config/schema.js';
import { type EnvironmentProtection, readEnvironment } from '../github/environment.js';
import type { Deps } from './deps.js';

export const ENV_LABEL_PREFIX = 'env:';

/** One environment as the merge decision sees it (merge-decide.ts). */
export interface EnvironmentFact {
  name: string;
  /** The issue's label names it, but `.github/pilot.yml` does not: Pilot refuses (fail closed). */
  unknown?: boolean;
  autopilot?: EnvironmentSpec['autopilot'];
  requireApproval: boolean;
  /** `pilot-<name>` as GitHub reports it; read only when the environment requires approval. */
  protection?: EnvironmentProtection;
}

/** GitHub Environment Pilot binds its merge job to for `name`. */
export const boundEnvironment = (name: string) => `pilot-${name}`;

function selected(specs: EnvironmentSpec[], labels: string[], baseRef: string): EnvironmentFact[] {
  const named = labels
    .filter((l) => l.startsWith(ENV_LABEL_PREFIX))
    .map((l) => l.slice(ENV_LABEL_PREFIX.length));
  const out: EnvironmentFact[] = named
    .filter((n) => !specs.some((s) => s.name === n))
    .map((name) => ({ name, unknown: true, requireApproval: false }));
  for (const spec of specs)
    if (named.includes(spec.name) || (spec.branch ?? spec.name) === baseRef)
      out.push({ name: spec.name, autopilot: spec.autopilot, requireApproval: spec.requireApproval });
  return out;
}

async function issueLabels(deps: Deps, issue: number): Promise<string[]> {
  const { data } = await deps.octokit.rest.issues.get({ ...deps.ctx.repo, issue_number: issue });
  return data.labels.map((l) => (typeof l === 'string' ? l : (l.name ?? '')));
}

/** The environments that govern this task's merge, with GitHub's protection of those needing approval. */
export async function environmentsOf(deps: Deps, issue: number, baseRef: string): Promise<EnvironmentFact[]> {
  const specs = deps.config.environments ?? [];
  if (!specs.length) return [];
  const facts = selected(specs, await issueLabels(deps, issue), baseRef);
  for (const fact of facts)
    if (fact.requireApproval)
      fact.protection = await readEnvironment(deps.octokit, deps.ctx.repo, boundEnvironment(fact.name));
  return facts;
}
