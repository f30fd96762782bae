// The `repository_dispatch` event GitHub delivers for a recorded `POST /repos/{o}/{r}/dispatches`,
// shaped like the @octokit/webhooks-examples payload (action, branch, client_payload, repository,
// sender, installation?).
import { createRequire } from 'node:module';
import type { DispatchRecord } from '../types.js';

type Json = Record<string, unknown>;

interface WebhookDefinition {
  name: string;
  examples: Json[];
}

let template: Json | undefined;
function exampleRepositoryDispatch(): Json {
  if (!template) {
    const all = createRequire(import.meta.url)('@octokit/webhooks-examples') as WebhookDefinition[];
    const found = all.find((d) => d.name === 'repository_dispatch')?.examples[0];
    if (!found) throw new Error('@octokit/webhooks-examples has no repository_dispatch example');
    template = found;
  }
  return structuredClone(template);
}

/** The identity behind `GITHUB_TOKEN`: dispatches made with it come from this bot. */
export const GITHUB_ACTIONS_BOT: Readonly<Json> = {
  login: 'github-actions[bot]',
  id: 41898282,
  node_id: 'MDM6Qm90NDE4OTgyODI=',
  avatar_url: 'https://avatars.githubusercontent.com/in/15368?v=4',
  gravatar_id: '',
  url: 'https://api.github.com/users/github-actions%5Bbot%5D',
  html_url: 'https://github.com/apps/github-actions',
  type: 'Bot',
  site_admin: false,
};

/** The example's repository object re-pointed at owner/repo (every URL included). */
export function exampleRepository(owner: string, repo: string, defaultBranch: string): Json {
  const example = exampleRepositoryDispatch().repository as Json;
  const exampleOwner = (example.owner as Json).login as string;
  const text = JSON.stringify(example)
    .split(`${exampleOwner}/${example.name as string}`)
    .join(`${owner}/${repo}`)
    .split(`/${exampleOwner}`)
    .join(`/${owner}`);
  const repository = JSON.parse(text) as Json;
  repository.name = repo;
  repository.default_branch = defaultBranch;
  repository.master_branch = defaultBranch;
  repository.private = false;
  (repository.owner as Json).login = owner;
  (repository.owner as Json).type = 'User';
  return repository;
}

export interface DispatchPayloadOptions {
  defaultBranch?: string;
  /** The repository object to send (e.g. the triggering event's); built from the example otherwise. */
  repository?: Json;
  /** Who made the dispatch; `github-actions[bot]` (a `GITHUB_TOKEN` call) by default. */
  sender?: Json;
  /** Present when the dispatch was made with a GitHub App installation token. */
  installation?: Json;
}

export function repositoryDispatchPayload(d: DispatchRecord, opts: DispatchPayloadOptions = {}): Json {
  const branch = opts.defaultBranch ?? 'main';
  return {
    action: d.event_type,
    branch,
    client_payload: d.client_payload,
    repository: opts.repository ?? exampleRepository(d.owner, d.repo, branch),
    sender: opts.sender ?? { ...GITHUB_ACTIONS_BOT },
    ...(opts.installation && { installation: opts.installation }),
  };
}
