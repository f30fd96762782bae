// The gateway's outage count (src/agent/gateway/outage.ts): only 5xx/529 in a row count, a good
// answer resets, a client error neither counts nor resets, and the budget trips exactly once.
import { expect, it } from 'vitest';
import { OUTAGE_BUDGET, OutageWatch } from '../../src/agent/gateway/outage.js';

it('calls an outage after the budget of upstream 5xx/529 in a row, and names the last one', () => {
  const watch = new OutageWatch();
  for (let i = 1; i < OUTAGE_BUDGET; i++) expect(watch.observe(500, undefined)).toBe(false);
  expect(watch.observe(529, 'overloaded_error')).toBe(true);
  expect(watch.tripped()).toBe(true);
  expect(watch.message()).toContain(
    `${OUTAGE_BUDGET} answers in a row failed upstream (last: 529 overloaded_error)`,
  );
  // Tripped once: later answers do not trip it again (one note, one log line).
  expect(watch.observe(529, 'overloaded_error')).toBe(false);
});

it('a good answer resets the count; a 4xx neither counts nor resets', () => {
  const watch = new OutageWatch(2);
  expect(watch.observe(503, undefined)).toBe(false);
  expect(watch.observe(200, undefined)).toBe(false);
  expect(watch.observe(503, undefined)).toBe(false);
  expect(watch.observe(400, undefined)).toBe(false);
  expect(watch.snapshot().consecutive).toBe(1);
  expect(watch.observe(502, undefined)).toBe(true);
});
