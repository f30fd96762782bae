// The last tool errors the agent saw (a failing test command, a missing file), kept so that
// `/pilot retry` can tell the next run what went wrong. They arrive as `user` lines whose content
// holds `tool_result` blocks with `is_error: true`; anything else in the stream is ignored.
import { z } from 'zod';
import type { StreamEvent } from './stream.js';

const KEEP = 3;
const MAX_CHARS = 300;

const ToolResult = z.object({
  type: z.literal('tool_result'),
  is_error: z.literal(true),
  content: z.union([z.string(), z.array(z.object({ text: z.string().optional() }).passthrough())]).optional(),
});

const UserLine = z.object({
  type: z.literal('user'),
  message: z.object({ content: z.array(z.unknown()) }).passthrough(),
});

function textOf(content: z.infer<typeof ToolResult>['content']): string {
  if (typeof content === 'string') return content;
  return (content ?? []).map((block) => block.text ?? '').join('\n');
}

/** The tool errors one stream event carries, each cut to one short line. */
export function toolErrorsIn(event: StreamEvent): string[] {
  if (event.type !== 'other') return [];
  const line = UserLine.safeParse(event.line);
  if (!line.success) return [];
  const errors: string[] = [];
  for (const block of line.data.message.content) {
    const result = ToolResult.safeParse(block);
    if (!result.success) continue;
    const text = textOf(result.data.content).replace(/\s+/g, ' ').trim();
    if (text) errors.push(text.slice(0, MAX_CHARS));
  }
  return errors;
}

/** Collects the newest few tool errors of a run. */
export class ToolErrors {
  private readonly seen: string[] = [];

  readonly onEvent = (event: StreamEvent): void => {
    this.seen.push(...toolErrorsIn(event));
    this.seen.splice(0, Math.max(0, this.seen.length - KEEP));
  };

  last(): string[] {
    return [...this.seen];
  }
}
