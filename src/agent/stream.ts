// Claude Code's stream-json output, one JSON object per line. Known shapes are parsed with zod;
// unknown types are kept as-is (a newer CLI may add some) and never fail the run.
import { z } from 'zod';

const Usage = z
  .object({ input_tokens: z.number().optional(), output_tokens: z.number().optional() })
  .passthrough()
  .optional();

export const InitLine = z
  .object({
    type: z.literal('system'),
    subtype: z.literal('init'),
    session_id: z.string(),
    model: z.string().optional(),
    tools: z.array(z.string()).optional(),
    claude_code_version: z.string().optional(),
  })
  .passthrough();

const ContentBlock = z
  .object({
    type: z.string(),
    text: z.string().optional(),
    name: z.string().optional(),
    input: z.unknown().optional(),
  })
  .passthrough();

export const AssistantLine = z
  .object({
    type: z.literal('assistant'),
    message: z.object({ content: z.array(ContentBlock), usage: Usage }).passthrough(),
    session_id: z.string().optional(),
  })
  .passthrough();

export const PermissionDenial = z
  .object({ tool_name: z.string(), tool_input: z.unknown().optional() })
  .passthrough();
export type PermissionDenial = z.infer<typeof PermissionDenial>;

export const ResultLine = z
  .object({
    type: z.literal('result'),
    subtype: z.string(),
    is_error: z.boolean(),
    num_turns: z.number().int().nonnegative().default(0),
    result: z.string().optional(),
    session_id: z.string().optional(),
    total_cost_usd: z.number().nonnegative().default(0),
    duration_ms: z.number().optional(),
    terminal_reason: z.string().optional(),
    permission_denials: z.array(PermissionDenial).default([]),
    errors: z.array(z.unknown()).optional(),
    api_error_status: z.number().nullable().optional(),
    usage: Usage,
  })
  .passthrough();
export type ResultLine = z.infer<typeof ResultLine>;

export type StreamEvent =
  | { type: 'init'; line: z.infer<typeof InitLine> }
  | { type: 'assistant'; line: z.infer<typeof AssistantLine> }
  | { type: 'result'; line: ResultLine }
  | { type: 'other'; line: Record<string, unknown> }
  | { type: 'garbage'; text: string };

export function parseStreamLine(text: string): StreamEvent | null {
  const trimmed = text.trim();
  if (!trimmed) return null;
  let json: unknown;
  try {
    json = JSON.parse(trimmed);
  } catch {
    return { type: 'garbage', text: trimmed.slice(0, 500) };
  }
  for (const [type, schema] of [
    ['init', InitLine],
    ['assistant', AssistantLine],
    ['result', ResultLine],
  ] as const) {
    const parsed = schema.safeParse(json);
    if (parsed.success) return { type, line: parsed.data } as StreamEvent;
  }
  return typeof json === 'object' && json !== null
    ? { type: 'other', line: json as Record<string, unknown> }
    : { type: 'garbage', text: trimmed.slice(0, 500) };
}

/** One short line per tool call, for the log and the tracking comment's recent actions. */
export function describeToolUses(line: z.infer<typeof AssistantLine>): string[] {
  return line.message.content
    .filter((block) => block.type === 'tool_use' && block.name)
    .map((block) => {
      const input = (block.input ?? {}) as Record<string, unknown>;
      const detail = input.file_path ?? input.command ?? input.pattern ?? input.path ?? '';
      return `${block.name}${detail ? ` ${String(detail).slice(0, 80)}` : ''}`;
    });
}
