// Progress in the tracking comment: driven by the agent's stream, at most one edit per 30 s, only when
// the visible text changes, never into the GitHub reserve. Simulated time: nothing really waits.
import { describe, expect, it } from 'vitest';
import { every, Progress, simulatedTimers } from '../../src/agent/progress.js';
import { parseStreamLine, type StreamEvent } from '../../src/agent/stream.js';

function assistant(tools: Array<{ name: string; input: unknown }>): StreamEvent {
  const line = JSON.stringify({
    type: 'assistant',
    message: { content: tools.map((t, i) => ({ type: 'tool_use', id: `t${i}`, ...t })) },
  });
  return parseStreamLine(line) as StreamEvent;
}

const todo = (items: Array<[string, string]>) =>
  assistant([
    { name: 'TodoWrite', input: { todos: items.map(([content, status]) => ({ content, status })) } },
  ]);
const edit = (file: string) => assistant([{ name: 'Edit', input: { file_path: file } }]);

function setup(allow?: () => boolean) {
  const timers = simulatedTimers();
  const written: string[] = [];
  const progress = new Progress({ timers, allow, write: async (s) => void written.push(s) });
  return { timers, written, progress };
}

describe('progress edits', () => {
  it('shows the checklist and the last actions, first edit one interval after the comment was written', async () => {
    const { timers, written, progress } = setup();
    progress.onEvent(
      todo([
        ['Read the code', 'completed'],
        ['Add farewell()', 'in_progress'],
      ]),
    );
    progress.onEvent(edit('/w/src/farewell.js'));
    expect(written).toEqual([]);
    timers.advance(30_000);
    await progress.stop();
    expect(written).toHaveLength(1);
    expect(written[0]).toContain('- [x] Read the code');
    expect(written[0]).toContain('- [ ] ⏳ Add farewell()');
    expect(written[0]).toContain('`Edit /w/src/farewell.js`');
  });

  it('turns a 1,000-event stream over 60 s into at most 3 edits', async () => {
    const { timers, written, progress } = setup();
    for (let i = 0; i < 1000; i++) {
      progress.onEvent(i % 50 === 0 ? todo([[`step ${i}`, 'in_progress']]) : edit(`/w/file-${i}.js`));
      timers.advance(60);
    }
    await progress.stop();
    expect(written.length).toBeGreaterThan(0);
    expect(written.length).toBeLessThanOrEqual(3);
  });

  it('does not edit when the visible text did not change', async () => {
    const { timers, written, progress } = setup();
    progress.onEvent(edit('/w/a.js'));
    timers.advance(30_000);
    for (let i = 0; i < 10; i++) {
      progress.onEvent(assistant([{ name: 'TodoWrite', input: { todos: [] } }]));
      timers.advance(30_000);
    }
    await progress.stop();
    expect(written).toHaveLength(1);
  });

  it('holds back while the GitHub throttle keeps its reserve, and writes once it may', async () => {
    let allowed = false;
    const { timers, written, progress } = setup(() => allowed);
    progress.onEvent(edit('/w/a.js'));
    timers.advance(120_000);
    expect(written).toEqual([]);
    allowed = true;
    timers.advance(30_000);
    await progress.stop();
    expect(written).toHaveLength(1);
  });

  it('writes nothing after stop()', async () => {
    const { timers, written, progress } = setup();
    progress.onEvent(edit('/w/a.js'));
    await progress.stop();
    timers.advance(60_000);
    expect(written).toEqual([]);
  });
});

describe('every()', () => {
  it('runs the task each interval until stopped', async () => {
    const timers = simulatedTimers();
    let runs = 0;
    const loop = every(600_000, async () => void runs++, timers);
    timers.advance(600_000);
    await Promise.resolve();
    await Promise.resolve();
    timers.advance(600_000);
    await loop.stop();
    timers.advance(6_000_000);
    expect(runs).toBe(2);
  });
});
