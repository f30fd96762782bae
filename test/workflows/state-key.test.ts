// Every Pilot job reads or writes authenticated state (markers, queued requests, dispatch tags), so
// every Pilot step in the reusable workflow and the starter templates must be given pilot-state-key.
import { describe, expect, it } from 'vitest';
import { asObj, pilotSteps, pilotWorkflows, reusableCalls } from './load.js';

describe('pilot-state-key reaches every Pilot job', () => {
  it('is passed to every Pilot step, and to every call of the reusable workflow', () => {
    let checked = 0;
    for (const wf of pilotWorkflows()) {
      for (const { job, step } of pilotSteps(wf)) {
        expect(String(asObj(step.with)['pilot-state-key'] ?? ''), `${wf.path} ${job}`).toMatch(
          /^\$\{\{ secrets\.(pilot-state-key|PILOT_STATE_KEY) \}\}$/,
        );
        checked++;
      }
      for (const { job, call } of reusableCalls(wf)) {
        expect(asObj(call.secrets)['pilot-state-key'], `${wf.path} ${job}`).toBe(
          '${{ secrets.PILOT_STATE_KEY }}',
        );
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(8);
  });
});
