// A model script for many agents at once: every agent writes one file, then finishes. It counts agents
// that start while another is still working, which is what a broken lease would look like.
import path from 'node:path';
import { type ScriptStep, type Turn, toolResults, workingDir } from '../world/model/index.js';

export interface AgentTally {
  started: number;
  finished: number;
  /** Agents that started while another agent had not finished yet. */
  overlaps: number;
  maxActive: number;
}

export function concurrentAgents(count: number, opts: { file?: string; delayMs?: number } = {}) {
  const tally: AgentTally = { started: 0, finished: 0, overlaps: 0, maxActive: 0 };
  let active = 0;
  const step: ScriptStep = (req): Turn => {
    if (toolResults(req).length > 0) {
      active -= 1;
      tally.finished += 1;
      return { text: 'Done.' };
    }
    if (active > 0) tally.overlaps += 1;
    active += 1;
    tally.started += 1;
    tally.maxActive = Math.max(tally.maxActive, active);
    const cwd = workingDir(req) ?? '/nonexistent';
    const file = path.join(cwd, opts.file ?? 'src/change.js');
    return {
      // The write is held back a little, so a second agent would have time to start meanwhile.
      delayMs: opts.delayMs ?? 0,
      tools: [{ name: 'Write', input: { file_path: file, content: `export const n = ${tally.started};\n` } }],
    };
  };
  // Spare steps: a request the CLI retries under load takes a step too.
  return { script: Array.from({ length: count * 4 }, () => step), tally };
}
