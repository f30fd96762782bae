// What the model server saw, and helpers to read it the way a test thinks about it.
import type { IncomingHttpHeaders } from 'node:http';

export interface RecordedRequest {
  method: string;
  /** Path without the query (`/v1/messages`); the CLI adds `?beta=true`. */
  path: string;
  query: string;
  headers: IncomingHttpHeaders;
  /** Parsed JSON body, or undefined when there was none / it was not JSON. */
  // biome-ignore lint/suspicious/noExplicitAny: request bodies are inspected ad hoc by tests
  body: any;
  /** True when the request belongs to the agent loop and consumed (or would consume) a script turn. */
  isAgentTurn: boolean;
  /** Milliseconds since the epoch when the request arrived. */
  at: number;
}

interface Block {
  type?: string;
  text?: string;
  content?: unknown;
  tool_use_id?: string;
  id?: string;
  name?: string;
  is_error?: boolean;
}

interface Message {
  role?: string;
  content?: string | Block[];
}

export interface ToolResult {
  tool_use_id: string;
  /** Name of the tool the assistant called with that id, when the request still carries the call. */
  name?: string;
  /** The result flattened to text. */
  content: string;
  is_error: boolean;
}

function messagesOf(req: RecordedRequest): Message[] {
  const messages = req.body?.messages;
  return Array.isArray(messages) ? (messages as Message[]) : [];
}

function blocksOf(message: Message): Block[] {
  if (typeof message.content === 'string') return [{ type: 'text', text: message.content }];
  return Array.isArray(message.content) ? message.content : [];
}

function flatten(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((b: Block) => (typeof b?.text === 'string' ? b.text : '')).join('\n');
}

/**
 * Text of the latest user turn. The CLI's `messages` hold a `role:"system"` entry too, so this is
 * the last `role:"user"` message, not simply the last message.
 */
export function lastUserText(req: RecordedRequest): string {
  const users = messagesOf(req).filter((m) => m.role === 'user');
  const last = users[users.length - 1];
  if (!last) return '';
  return blocksOf(last)
    .filter((b) => b.type === 'text')
    .map((b) => b.text ?? '')
    .join('\n');
}

/** Every tool_result the request carries (the conversation so far), oldest first. */
export function toolResults(req: RecordedRequest): ToolResult[] {
  const names = new Map<string, string>();
  const results: ToolResult[] = [];
  for (const message of messagesOf(req)) {
    for (const block of blocksOf(message)) {
      if (block.type === 'tool_use' && block.id && block.name) names.set(block.id, block.name);
      if (block.type === 'tool_result' && block.tool_use_id) {
        results.push({
          tool_use_id: block.tool_use_id,
          name: names.get(block.tool_use_id),
          content: flatten(block.content),
          is_error: block.is_error === true,
        });
      }
    }
  }
  return results;
}

/** Every string inside a value, unescaped, so a leak check sees text exactly as the model would. */
export function stringsIn(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) stringsIn(v, out);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) stringsIn(v, out);
  return out;
}

/** The CLI's working directory, as it tells the model ("Primary working directory: /x"). */
export function workingDir(req: RecordedRequest): string | undefined {
  return workingDirIn(req.body);
}

/** Same, searching any part of a request body (e.g. one message). */
export function workingDirIn(value: unknown): string | undefined {
  for (const text of stringsIn(value)) {
    const match = /Primary working directory: (.+)/.exec(text);
    if (match) return match[1].trim();
  }
  return undefined;
}
