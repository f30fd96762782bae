// Reads token usage out of Messages API responses as they pass through, without holding them up.
// Streams: `message_start` carries the input side (input, cache read/write) and the model;
// `message_delta` carries cumulative counts (output, and possibly updated input-side fields).
// https://docs.anthropic.com/en/docs/build-with-claude/streaming#event-types
// Plain JSON answers carry `usage` and `model` in the body.
import { StringDecoder } from 'node:string_decoder';
import zlib from 'node:zlib';
import { createParser } from 'eventsource-parser';
import { z } from 'zod';
import { NO_TOKENS, type TokenCounts } from './prices.js';

const count = z.number().nonnegative().finite().nullish();

const UsageSchema = z.object({
  input_tokens: count,
  output_tokens: count,
  cache_read_input_tokens: count,
  cache_creation_input_tokens: count,
  cache_creation: z.object({ ephemeral_1h_input_tokens: count }).nullish(),
  server_tool_use: z.object({ web_search_requests: count }).nullish(),
});
type WireUsage = z.infer<typeof UsageSchema>;

const MessageSchema = z.object({ model: z.string().optional(), usage: UsageSchema.optional() });

const EventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('message_start'), message: MessageSchema }),
  z.object({ type: z.literal('message_delta'), usage: UsageSchema.nullish() }),
  z.object({ type: z.literal('message_stop') }),
]);

/** Where a meter reports what it learned: the model, and token increments as they become known. */
export interface UsageSink {
  model(model: string): void;
  add(tokens: TokenCounts): void;
}

/**
 * Tracks one message's cumulative counts and reports only the increase, so usage is accounted live
 * (a cap sees a long stream's input cost at its first event) and nothing is counted twice.
 */
class MessageCounts {
  private seen: TokenCounts = { ...NO_TOKENS };

  constructor(private readonly sink: UsageSink) {}

  update(usage: WireUsage | null | undefined): void {
    if (!usage) return;
    const next: TokenCounts = {
      input: usage.input_tokens ?? this.seen.input,
      output: usage.output_tokens ?? this.seen.output,
      cacheRead: usage.cache_read_input_tokens ?? this.seen.cacheRead,
      cacheWrite: usage.cache_creation_input_tokens ?? this.seen.cacheWrite,
      cacheWrite1h: usage.cache_creation?.ephemeral_1h_input_tokens ?? this.seen.cacheWrite1h,
      webSearch: usage.server_tool_use?.web_search_requests ?? this.seen.webSearch,
    };
    const increase = { ...NO_TOKENS };
    let changed = false;
    for (const key of Object.keys(next) as (keyof TokenCounts)[]) {
      // Counts are cumulative; a smaller number never refunds what was already counted.
      increase[key] = Math.max(0, next[key] - this.seen[key]);
      if (increase[key] > 0) changed = true;
    }
    this.seen = next;
    if (changed) this.sink.add(increase);
  }
}

export interface Meter {
  feed(chunk: Buffer): void;
  /** Settles once every count is in, so the client's answer can end after the accounting does. */
  end(): void | Promise<void>;
  /**
   * True once the answer's final usage is in (a stream's `message_stop`, a whole JSON body). An answer
   * cut off before that is charged its reservation instead.
   */
  complete(): boolean;
}

/** A meter for responses that carry no usage and are not billed (errors, count_tokens, other routes). */
export const NO_METER: Meter = { feed: () => {}, end: () => {}, complete: () => true };

/** A billed answer whose usage cannot be read (unknown type or encoding): charged its reservation. */
export const UNREADABLE: Meter = { feed: () => {}, end: () => {}, complete: () => false };

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Frames are split by eventsource-parser (the WHATWG event-stream rules: CR, LF or CRLF line ends,
 * multi-line `data:` joined with "\n", comments and `retry:` ignored), so a frame or a line break split
 * across chunks still reads as one. The bound keeps an endless frame from growing without limit.
 */
const MAX_FRAME_CHARS = 16 * 1024 * 1024;

/**
 * Reads one message's stream events (JSON text each), whatever framing carried them: SSE from the
 * Anthropic API and Vertex, event-stream `chunk` payloads from Bedrock.
 */
export interface EventReader {
  handle(data: string): void;
  /** True once `message_stop` arrived: the message's usage is all in. */
  stopped(): boolean;
}

export function eventReader(sink: UsageSink): EventReader {
  const counts = new MessageCounts(sink);
  let stopped = false;
  return {
    handle(data) {
      const event = EventSchema.safeParse(parseJson(data));
      if (!event.success) return;
      if (event.data.type === 'message_stop') {
        stopped = true;
      } else if (event.data.type === 'message_start') {
        if (event.data.message.model) sink.model(event.data.message.model);
        counts.update(event.data.message.usage);
      } else {
        counts.update(event.data.usage);
      }
    },
    stopped: () => stopped,
  };
}

export function sseMeter(sink: UsageSink): Meter {
  const decoder = new StringDecoder('utf8');
  const reader = eventReader(sink);
  // After an overflow the parser refuses further input; the answer is then charged its reservation.
  let broken = false;

  const parser = createParser({
    onEvent: (event) => reader.handle(event.data),
    maxBufferSize: MAX_FRAME_CHARS,
    // The client still gets the bytes; the meter stops reading and the answer counts as unmetered.
    onError: () => {
      broken = true;
    },
  });

  return {
    feed(chunk) {
      if (!broken) parser.feed(decoder.write(chunk));
    },
    end() {
      if (broken) return;
      // A last frame without its closing blank line still counts: the event-stream rules would drop
      // it, but its usage was billed, and counting it errs on the cap's side.
      parser.feed(`${decoder.end()}\n\n`);
    },
    complete: () => reader.stopped() && !broken,
  };
}

/** Messages answers are small; anything past this is not a Messages answer worth parsing. */
const MAX_JSON_BYTES = 64 * 1024 * 1024;

export function jsonMeter(sink: UsageSink): Meter {
  const chunks: Buffer[] = [];
  let size = 0;
  let read = false;
  return {
    feed(chunk) {
      size += chunk.length;
      if (size <= MAX_JSON_BYTES) chunks.push(chunk);
    },
    end() {
      if (size > MAX_JSON_BYTES) return;
      const body = MessageSchema.safeParse(parseJson(Buffer.concat(chunks).toString('utf8')));
      if (!body.success || !body.data.usage) return;
      if (body.data.model) sink.model(body.data.model);
      new MessageCounts(sink).update(body.data.usage);
      read = true;
    },
    complete: () => read,
  };
}

const DECODERS: Record<string, () => zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress> = {
  gzip: () => zlib.createGunzip(),
  'x-gzip': () => zlib.createGunzip(),
  deflate: () => zlib.createInflate(),
  br: () => zlib.createBrotliDecompress(),
};

/**
 * The gateway asks for `identity`, but an upstream may compress anyway; the client still gets the
 * bytes as sent, and the meter reads a decompressed copy so the cap cannot be slipped past.
 * Returns undefined for an encoding it cannot read.
 */
export function decoded(encoding: string | undefined, inner: Meter): Meter | undefined {
  const name = (encoding ?? 'identity').trim().toLowerCase();
  if (name === '' || name === 'identity') return inner;
  const make = DECODERS[name];
  if (!make) return undefined;
  const stream = make();
  stream.on('data', (chunk: Buffer) => inner.feed(chunk));
  const finished = new Promise<void>((resolve) => {
    stream.on('end', resolve);
    // A corrupt body is the client's problem to see; the meter keeps what it read.
    stream.on('error', () => resolve());
  }).then(() => inner.end());
  return {
    feed: (chunk) => {
      stream.write(chunk);
    },
    end: () => {
      stream.end();
      return finished;
    },
    complete: () => inner.complete(),
  };
}
