// Anthropic Messages API wire shapes: a scripted turn as a Message, and as the SSE frames the real API
// streams (https://docs.anthropic.com/en/api/messages-streaming): message_start, ping, then per content
// block content_block_start / content_block_delta… / content_block_stop, message_delta, message_stop.
import { DEFAULT_USAGE, type StopReason, type Turn, type Usage } from './script.js';

export type ContentBlock =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> };

export interface Message {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: ContentBlock[];
  stop_reason: StopReason | null;
  stop_sequence: string | null;
  usage: Required<Usage>;
}

export interface SseEvent {
  event: string;
  data: Record<string, unknown>;
}

/** Ids only need to be unique within a server; a counter keeps recorded runs reproducible. */
export interface IdSource {
  next(prefix: 'msg' | 'toolu'): string;
}

export function counterIds(): IdSource {
  let n = 0;
  return { next: (prefix) => `${prefix}_01${String(++n).padStart(22, '0')}` };
}

function fullUsage(usage: Usage = DEFAULT_USAGE): Required<Usage> {
  return {
    input_tokens: usage.input_tokens,
    output_tokens: usage.output_tokens,
    cache_read_input_tokens: usage.cache_read_input_tokens ?? 0,
    cache_creation_input_tokens: usage.cache_creation_input_tokens ?? 0,
  };
}

export function toMessage(turn: Turn, model: string, ids: IdSource): Message {
  const content: ContentBlock[] = [];
  if (turn.text !== undefined) content.push({ type: 'text', text: turn.text });
  for (const tool of turn.tools ?? []) {
    content.push({ type: 'tool_use', id: ids.next('toolu'), name: tool.name, input: tool.input });
  }
  // An empty message is not something the API sends; give the CLI a text block to show.
  if (content.length === 0) content.push({ type: 'text', text: '' });
  const stopReason = turn.stopReason ?? (turn.tools?.length ? 'tool_use' : 'end_turn');
  return {
    id: ids.next('msg'),
    type: 'message',
    role: 'assistant',
    model,
    content,
    stop_reason: stopReason,
    stop_sequence: null,
    usage: fullUsage(turn.usage),
  };
}

/** Splits a string into up to `parts` pieces, the way the API streams partial JSON in small chunks. */
export function chunk(text: string, parts = 3): string[] {
  if (text.length === 0) return [];
  const size = Math.ceil(text.length / parts);
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

function blockEvents(block: ContentBlock, index: number): SseEvent[] {
  const ev = (type: string, rest: Record<string, unknown>): SseEvent => ({
    event: type,
    data: { type, index, ...rest },
  });
  if (block.type === 'text') {
    return [
      ev('content_block_start', { content_block: { type: 'text', text: '' } }),
      ...chunk(block.text).map((text) => ev('content_block_delta', { delta: { type: 'text_delta', text } })),
      ev('content_block_stop', {}),
    ];
  }
  const start = { type: 'tool_use', id: block.id, name: block.name, input: {} };
  return [
    ev('content_block_start', { content_block: start }),
    // The real API opens every tool input with an empty partial_json before the chunks.
    ...['', ...chunk(JSON.stringify(block.input))].map((partial_json) =>
      ev('content_block_delta', { delta: { type: 'input_json_delta', partial_json } }),
    ),
    ev('content_block_stop', {}),
  ];
}

/** The whole stream for one message, in order. */
export function streamEvents(message: Message): SseEvent[] {
  const { input_tokens, cache_read_input_tokens, cache_creation_input_tokens } = message.usage;
  const start = {
    ...message,
    content: [],
    stop_reason: null,
    // message_start carries the input side; output_tokens counts up to the final message_delta.
    usage: { input_tokens, cache_read_input_tokens, cache_creation_input_tokens, output_tokens: 1 },
  };
  return [
    { event: 'message_start', data: { type: 'message_start', message: start } },
    { event: 'ping', data: { type: 'ping' } },
    ...message.content.flatMap(blockEvents),
    {
      event: 'message_delta',
      data: {
        type: 'message_delta',
        delta: { stop_reason: message.stop_reason, stop_sequence: null },
        usage: message.usage,
      },
    },
    { event: 'message_stop', data: { type: 'message_stop' } },
  ];
}

export function frame({ event, data }: SseEvent): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** Parses an SSE body back into events (for tests of the framing, and of anything proxying it). */
export function parseSse(body: string): SseEvent[] {
  return body
    .split('\n\n')
    .filter((f) => f.trim() !== '')
    .map((f) => {
      const lines = f.split('\n');
      const event = lines.find((l) => l.startsWith('event: '))?.slice('event: '.length) ?? 'message';
      const data = lines
        .filter((l) => l.startsWith('data: '))
        .map((l) => l.slice('data: '.length))
        .join('\n');
      return { event, data: JSON.parse(data) as Record<string, unknown> };
    });
}
