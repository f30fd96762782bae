// The real `pull_request.closed` payload from @octokit/webhooks-examples (the shared loader reads only
// the events the gate already handled before PR-closed support).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

// biome-ignore lint/suspicious/noExplicitAny: webhook payloads are arbitrary JSON that tests index freely
type Payload = Record<string, any>;

export function pullRequestClosed(): Payload {
  const require = createRequire(import.meta.url);
  const dir = path.dirname(require.resolve('@octokit/webhooks-examples/package.json'));
  const defs = JSON.parse(readFileSync(path.join(dir, 'api.github.com', 'index.json'), 'utf8')) as Array<{
    name: string;
    examples: Payload[];
  }>;
  const found = defs.find((d) => d.name === 'pull_request')?.examples.find((e) => e.action === 'closed');
  if (!found) throw new Error('webhooks-examples has no pull_request.closed payload');
  return structuredClone(found);
}
