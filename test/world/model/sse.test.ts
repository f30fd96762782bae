import { describe, expect, it } from 'vitest';
import { chunk, counterIds, frame, parseSse, streamEvents, toMessage } from './sse.js';

const message = () =>
  toMessage(
    {
      text: 'Writing the file.',
      tools: [{ name: 'Write', input: { file_path: '/w/a.txt', content: 'line "one"\nline two\n' } }],
      usage: { input_tokens: 1200, output_tokens: 80, cache_read_input_tokens: 300 },
    },
    'claude-test',
    counterIds(),
  );

describe('SSE framing of a scripted turn', () => {
  it('streams the events in the order the Messages API does', () => {
    const types = streamEvents(message()).map((e) => e.event);
    expect(types[0]).toBe('message_start');
    expect(types.slice(-2)).toEqual(['message_delta', 'message_stop']);
    expect(types).toContain('ping');
    // Each block opens, carries deltas, closes, before the next one opens.
    const blockEvents = types.filter((t) => t.startsWith('content_block'));
    expect(blockEvents.filter((t) => t === 'content_block_start')).toHaveLength(2);
    expect(blockEvents.indexOf('content_block_stop')).toBeLessThan(
      blockEvents.lastIndexOf('content_block_start'),
    );
  });

  it('writes each event as an event line and a JSON data line ended by a blank line', () => {
    const text = frame({ event: 'ping', data: { type: 'ping' } });
    expect(text).toBe('event: ping\ndata: {"type":"ping"}\n\n');
  });

  it('round-trips through an SSE parser', () => {
    const events = streamEvents(message());
    const body = events.map(frame).join('');
    expect(parseSse(body)).toEqual(events);
  });

  it('opens a tool_use block with empty input and sends the input as partial JSON chunks', () => {
    const events = streamEvents(message());
    const starts = events.filter((e) => e.event === 'content_block_start').map((e) => e.data);
    expect(starts[1]).toMatchObject({
      index: 1,
      content_block: { type: 'tool_use', name: 'Write', input: {} },
    });
    expect((starts[1].content_block as { id: string }).id).toMatch(/^toolu_/);

    const partials = events
      .filter((e) => e.event === 'content_block_delta' && e.data.index === 1)
      .map((e) => e.data.delta as { type: string; partial_json: string });
    expect(partials.every((d) => d.type === 'input_json_delta')).toBe(true);
    expect(partials.length).toBeGreaterThan(2);
    expect(JSON.parse(partials.map((d) => d.partial_json).join(''))).toEqual({
      file_path: '/w/a.txt',
      content: 'line "one"\nline two\n',
    });
  });

  it('streams text as text_delta pieces that add up to the scripted text', () => {
    const deltas = streamEvents(message())
      .filter((e) => e.event === 'content_block_delta' && e.data.index === 0)
      .map((e) => e.data.delta as { type: string; text: string });
    expect(deltas.every((d) => d.type === 'text_delta')).toBe(true);
    expect(deltas.map((d) => d.text).join('')).toBe('Writing the file.');
  });

  it('reports input usage at message_start and the stop reason with full usage at message_delta', () => {
    const events = streamEvents(message());
    const start = events[0].data.message as { usage: Record<string, number>; content: unknown[] };
    expect(start.content).toEqual([]);
    expect(start.usage).toMatchObject({ input_tokens: 1200, cache_read_input_tokens: 300 });
    const delta = events.find((e) => e.event === 'message_delta')?.data;
    expect(delta).toMatchObject({
      delta: { stop_reason: 'tool_use', stop_sequence: null },
      usage: {
        input_tokens: 1200,
        output_tokens: 80,
        cache_read_input_tokens: 300,
        cache_creation_input_tokens: 0,
      },
    });
  });

  it('ends a turn without tools with end_turn unless the script says otherwise', () => {
    const ids = counterIds();
    expect(toMessage({ text: 'hi' }, 'm', ids).stop_reason).toBe('end_turn');
    expect(toMessage({ text: 'cut', stopReason: 'max_tokens' }, 'm', ids).stop_reason).toBe('max_tokens');
  });

  it('splits text into at most the requested number of chunks without losing characters', () => {
    expect(chunk('abcdefg', 3)).toEqual(['abc', 'def', 'g']);
    expect(chunk('', 3)).toEqual([]);
  });
});
