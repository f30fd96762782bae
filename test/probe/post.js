import { readFileSync } from 'node:fs';
import { summary } from './lib.js';

/** Alive unless gone or a zombie (an orphan whose reaper has not collected it yet is dead for us). */
function alive(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

const state = Object.fromEntries(
  Object.entries(process.env)
    .filter(([k]) => k.startsWith('STATE_'))
    .map(([k, v]) => [k.slice('STATE_'.length), v]),
);
const report = {
  ran: true,
  state,
  mainFinished: state.finished === 'true',
  fromMainEnv: process.env.PROBE_FROM_MAIN ?? null,
  grandchildAlive: state.grandchild ? alive(Number(state.grandchild)) : null,
};
summary('### Probe post\npost ran');
console.log(`PROBE_POST ${JSON.stringify(report)}`);
