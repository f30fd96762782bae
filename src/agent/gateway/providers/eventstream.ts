// Reads usage out of Bedrock's streamed answers as they pass. Bedrock frames the Anthropic stream
// events in the AWS event-stream encoding (`application/vnd.amazon.eventstream`): binary messages
// with a length prelude and CRCs; each `chunk` event's payload is `{"bytes": base64(<the event JSON>)}`.
// https://docs.aws.amazon.com/transcribe/latest/dg/event-stream.html (the framing)
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { z } from 'zod';
import { eventReader, type Meter, parseJson, type UsageSink } from '../meter.js';

const utf8 = {
  toUtf8: (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8'),
  fromUtf8: (text: string) => new Uint8Array(Buffer.from(text, 'utf8')),
};

const ChunkSchema = z.object({ bytes: z.string() });

/** A message larger than this is not a Bedrock chunk; the meter stops and the answer is charged its reservation. */
const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

export function eventStreamMeter(sink: UsageSink): Meter {
  const codec = new EventStreamCodec(utf8.toUtf8, utf8.fromUtf8);
  const reader = eventReader(sink);
  let pending = Buffer.alloc(0);
  let broken = false;

  function take(frame: Buffer): void {
    // decode checks both CRCs; a corrupt frame throws and stops the meter.
    const message = codec.decode(frame);
    if (message.headers[':message-type']?.value !== 'event') return;
    if (message.headers[':event-type']?.value !== 'chunk') return;
    const chunk = ChunkSchema.safeParse(parseJson(utf8.toUtf8(message.body)));
    if (chunk.success) reader.handle(Buffer.from(chunk.data.bytes, 'base64').toString('utf8'));
  }

  return {
    feed(chunk) {
      if (broken) return;
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 4) {
        const total = pending.readUInt32BE(0);
        if (total > MAX_MESSAGE_BYTES || total < 16) {
          broken = true;
          return;
        }
        if (pending.length < total) return;
        const frame = pending.subarray(0, total);
        pending = pending.subarray(total);
        try {
          take(frame);
        } catch {
          broken = true;
          return;
        }
      }
    },
    end() {},
    complete: () => reader.stopped() && !broken && pending.length === 0,
  };
}
