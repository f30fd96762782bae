// The request policy for `POST /v1/messages`: the body is parsed at the edge, a model the run may not
// use is refused, and what could spend or reach out past Pilot's view is rewritten away (a capped
// `max_tokens`; no `mcp_servers`, `container` or server-side tools; only the betas the CLI needs).
// Rewrites, not refusals, wherever the request still makes sense without the part removed: the CLI
// reacts to a 400 by resending with other tools, and a refused turn ends the agent's run.
import { z } from 'zod';
import { filterBetas } from './betas.js';
import { allowedModels, describeAllowed, type ModelRule, modelAllowed, wantsLongContext } from './models.js';

export interface PolicyOptions {
  /** Pilot's `model` / triage's choice (ids or CLI aliases); empty: the CLI's default model. */
  models: readonly string[];
  /** Ceiling for `max_tokens`; larger asks are lowered to it. */
  maxOutputTokens: number;
  /** `web_search_*` server tools and web-search betas (Pilot's WebSearch option). */
  webSearch: boolean;
  /** `web_fetch_*` server tools and web-fetch betas (Pilot's WebFetch option). */
  webFetch: boolean;
}

/** One thing the policy removed or rewrote; `kind` keys the log line so each kind is logged once. */
export interface Note {
  kind: string;
  text: string;
}

export interface Passed {
  ok: true;
  body: Buffer;
  beta: string | undefined;
  model: string;
  maxTokens: number;
  /** Server-side web searches the request may run (each is billed on its own). */
  webSearches: number;
  notes: Note[];
}

export interface Refused {
  ok: false;
  status: number;
  type: string;
  message: string;
}

const ToolSchema = z.looseObject({
  type: z.string().optional(),
  name: z.string().optional(),
  max_uses: z.number().int().positive().optional(),
});
type Tool = z.infer<typeof ToolSchema>;

const BodySchema = z.looseObject({
  model: z.string().min(1).max(200),
  max_tokens: z.number().int().positive(),
  tools: z.array(ToolSchema).optional(),
  tool_choice: z.looseObject({ type: z.string(), name: z.string().optional() }).optional(),
  thinking: z.looseObject({ type: z.string(), budget_tokens: z.number().int().optional() }).optional(),
});
type Body = z.infer<typeof BodySchema>;

/** Top-level fields that make the API act on Pilot's account outside the conversation. */
const SERVER_FIELDS = ['mcp_servers', 'container'] as const;

/** Tool types the client runs itself (Anthropic-defined schemas); every other typed tool runs server-side. */
const CLIENT_TOOL = /^(?:custom|bash_\d+|text_editor_\d+|computer_\d+|memory_\d+)$/;

/** The CLI asks for at most 8 searches per WebSearch call; a request without `max_uses` is priced at this. */
const DEFAULT_SEARCHES = 10;

/** The smallest thinking budget the API accepts. */
const MIN_THINKING = 1024;

function parseBody(raw: Buffer): Body | undefined {
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch {
    return undefined;
  }
  const parsed = BodySchema.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}

export class RequestPolicy {
  private readonly rules: ModelRule[];

  constructor(private readonly opts: PolicyOptions) {
    this.rules = allowedModels(opts.models);
  }

  check(raw: Buffer, betaHeader: string | string[] | undefined): Passed | Refused {
    const body = parseBody(raw);
    if (!body) {
      const message = 'the model gateway could not read this request: a JSON body with model and max_tokens';
      return { ok: false, status: 400, type: 'invalid_request_error', message };
    }
    if (!modelAllowed(this.rules, body.model)) {
      // 403: the pinned CLI ends the run on it and shows the message; a 400 or 404 it resends.
      const message = `Pilot's model gateway refuses model ${body.model}: this run may use ${describeAllowed(this.rules)}.`;
      return { ok: false, status: 403, type: 'permission_error', message };
    }
    const notes: Note[] = [];
    const maxTokens = this.capTokens(body, notes);
    const webSearches = this.keepTools(body, notes);
    for (const field of SERVER_FIELDS) {
      if (body[field] === undefined) continue;
      delete body[field];
      notes.push({ kind: `field:${field}`, text: `dropped ${field} from a request` });
    }
    const betas = filterBetas(betaHeader, {
      longContext: wantsLongContext(this.opts.models),
      webSearch: this.opts.webSearch,
      webFetch: this.opts.webFetch,
    });
    for (const flag of betas.dropped)
      notes.push({ kind: `beta:${flag}`, text: `dropped anthropic-beta ${flag}` });
    const out = notes.length > 0 ? Buffer.from(JSON.stringify(body)) : raw;
    return { ok: true, body: out, beta: betas.value, model: body.model, maxTokens, webSearches, notes };
  }

  /** Lowers `max_tokens` to the ceiling, and a fixed thinking budget below it (the API wants budget < max). */
  private capTokens(body: Body, notes: Note[]): number {
    const ceiling = this.opts.maxOutputTokens;
    if (body.max_tokens <= ceiling) return body.max_tokens;
    notes.push({
      kind: 'max_tokens',
      text: `lowered max_tokens to ${ceiling} (asked for ${body.max_tokens})`,
    });
    body.max_tokens = ceiling;
    const thinking = body.thinking;
    if (thinking?.budget_tokens !== undefined && thinking.budget_tokens >= ceiling)
      thinking.budget_tokens = Math.max(MIN_THINKING, ceiling - 1);
    return ceiling;
  }

  private serverToolAllowed(type: string): boolean {
    if (/^web_search_\d+$/.test(type)) return this.opts.webSearch;
    if (/^web_fetch_\d+$/.test(type)) return this.opts.webFetch;
    return false;
  }

  /** Drops server-side tools the configuration does not enable; returns the searches left to price. */
  private keepTools(body: Body, notes: Note[]): number {
    if (!body.tools) return 0;
    const kept: Tool[] = [];
    const dropped = new Set<string>();
    for (const tool of body.tools) {
      const type = tool.type;
      if (type === undefined || CLIENT_TOOL.test(type) || this.serverToolAllowed(type)) {
        kept.push(tool);
        continue;
      }
      if (tool.name) dropped.add(tool.name);
      notes.push({ kind: `tool:${type}`, text: `dropped server tool ${type} from a request` });
    }
    body.tools = kept;
    // A tool_choice naming a dropped tool would make the API refuse the whole request.
    if (body.tool_choice?.name !== undefined && dropped.has(body.tool_choice.name)) delete body.tool_choice;
    return kept
      .filter((tool) => tool.type !== undefined && /^web_search_\d+$/.test(tool.type))
      .reduce((n, tool) => n + (tool.max_uses ?? DEFAULT_SEARCHES), 0);
  }
}
