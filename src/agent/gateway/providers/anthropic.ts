// The Anthropic Messages API: the CLI's own routes, the body and beta header as they are, and the real
// API key or OAuth token put in place of the agent's key.
import type { Credential } from '../headers.js';
import { withCredential } from '../headers.js';
import type { Provider, ProviderRoute } from './provider.js';

/**
 * What the gateway forwards. Anything else (batches, files, admin routes) could spend or read without
 * passing the meter, and the agent can reach the gateway from its Bash tool, so it is refused.
 */
function routeOf(method: string, path: string, query: string): ProviderRoute | undefined {
  const upstreamPath = `${path}${query}`;
  if (method === 'POST' && path === '/v1/messages') return { kind: 'messages', upstreamPath };
  if (method === 'POST' && path === '/v1/messages/count_tokens') return { kind: 'forward', upstreamPath };
  if (
    (method === 'GET' || method === 'HEAD') &&
    (path === '/api/hello' || /^\/v1\/models(\/[\w.:@-]+)?$/.test(path))
  )
    return { kind: 'forward', upstreamPath };
  return undefined;
}

export function anthropicProvider(credential: Credential): Provider {
  return {
    name: 'anthropic',
    route: routeOf,
    toPolicy: (raw, _model, beta) => ({ raw, beta }),
    fromPolicy: (body) => body,
    authorize: async (out) => withCredential(out.headers, credential),
    agentEnv: (url, agentKey) => ({ ANTHROPIC_BASE_URL: url, ANTHROPIC_API_KEY: agentKey }),
    explain: () => undefined,
  };
}
