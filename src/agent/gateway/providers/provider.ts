// What differs between the places Claude is served from (the Anthropic API, Amazon Bedrock, Google
// Vertex AI): the routes the CLI calls, where the model and the beta flags sit in a request, how the
// upstream is authenticated, and what the agent's environment says. Everything else (the policy, the
// cap, the meter, the streaming) is the gateway's and the same on every provider.
import type { OutgoingHttpHeaders } from 'node:http';

export const PROVIDERS = ['anthropic', 'bedrock', 'vertex'] as const;
export type ProviderName = (typeof PROVIDERS)[number];

/** A route the gateway serves: a metered Messages request, or a free request passed through. */
export type ProviderRoute =
  | {
      kind: 'messages';
      /** Bedrock and Vertex name the model in the path, not the body. */
      model?: string;
      /** The path and query to send upstream (the agent's, re-encoded where the provider signs it). */
      upstreamPath: string;
    }
  | { kind: 'forward'; upstreamPath: string };

/** The request as it will leave for the upstream, for signing. */
export interface Outgoing {
  method: string;
  url: URL;
  headers: OutgoingHttpHeaders;
  body?: Buffer;
}

/** A request in the shape the policy reads: the model in the body, every beta flag in one header value. */
export interface PolicyView {
  raw: Buffer;
  beta: string | string[] | undefined;
}

export interface Provider {
  name: ProviderName;
  /** The AWS or Google region; undefined for the Anthropic API. */
  region?: string;
  route(method: string, path: string, query: string): ProviderRoute | undefined;
  toPolicy(raw: Buffer, model: string | undefined, beta: string | string[] | undefined): PolicyView;
  /** The body the upstream wants, from the one the policy passed; `beta` is the flags that may pass. */
  fromPolicy(body: Buffer, beta: string | undefined): Buffer;
  /** The headers to send, with the real credential (or signature) in. */
  authorize(out: Outgoing): Promise<OutgoingHttpHeaders>;
  /** The variables that point the CLI at the gateway, with the per-run key as its only credential. */
  agentEnv(url: string, agentKey: string): Record<string, string>;
  /** A log line explaining an upstream refusal worth explaining (expired credentials), if it is one. */
  explain(status: number, headers: Record<string, string | string[] | undefined>): string | undefined;
}

/** Parses a JSON object body; undefined when it is not one (the policy then refuses it plainly). */
export function jsonObject(raw: Buffer): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(raw.toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The CLI sends no credential of its own to Bedrock and Vertex when told to skip their auth, so the
 * per-run key rides in a custom header it adds to every request (`ANTHROPIC_CUSTOM_HEADERS`, checked
 * with the pinned CLI 2.1.331 on both providers).
 */
export function keyHeader(agentKey: string): Record<string, string> {
  return { ANTHROPIC_CUSTOM_HEADERS: `x-api-key: ${agentKey}` };
}
