// Start-up of the main step, the part every matching event pays for: time from spawn to the first
// log line, and to the first line the loaded bundle itself prints, against a bare `node` start in
// the same runs (same machine load). Medians of several runs; nothing is asserted.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const RUNS = 9;

interface Spread {
  min: number;
  median: number;
  max: number;
}

function spread(values: number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  return { min: sorted[0], median: sorted[Math.floor(sorted.length / 2)], max: sorted[sorted.length - 1] };
}

/** Milliseconds from spawn until a stdout line matching `until` (first line when absent). */
function timeToLine(args: string[], env: NodeJS.ProcessEnv, until?: RegExp): Promise<number> {
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'ignore'] });
    let text = '';
    let seen = false;
    child.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const lines = text.split('\n').slice(0, -1);
      if (!seen && lines.some((l) => !until || until.test(l))) {
        seen = true;
        resolve(performance.now() - start);
        child.kill();
      }
    });
    child.on('exit', () => (seen ? undefined : reject(new Error(`no matching line from ${args.join(' ')}`))));
  });
}

/** An issue_comment event as the runner gives it (the gate's path), with no token: it stops early. */
function gateEnv(dir: string, event: string): NodeJS.ProcessEnv {
  const eventPath = path.join(dir, 'event.json');
  writeFileSync(eventPath, JSON.stringify({ action: 'created', comment: { body: 'hello' } }));
  const output = path.join(dir, 'output');
  writeFileSync(output, '');
  return {
    PATH: process.env.PATH,
    GITHUB_EVENT_NAME: event,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_OUTPUT: output,
    GITHUB_REPOSITORY: 'octo/repo',
    RUNNER_TEMP: dir,
  };
}

function show(label: string, s: Spread, base?: Spread): void {
  const over = base ? ` (+${(s.median - base.median).toFixed(0)} ms over bare node)` : '';
  console.log(
    `${label.padEnd(44)} min ${s.min.toFixed(0)} / median ${s.median.toFixed(0)} / max ${s.max.toFixed(0)} ms${over}`,
  );
}

export async function startup(root: string): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'pilot-start-'));
  try {
    const cases = {
      bare: [] as number[],
      launcher: [] as number[],
      gate: [] as number[],
      work: [] as number[],
    };
    const main = path.join(root, 'dist/main/index.js');
    const ready = /^::group::Read configuration/;
    for (let i = 0; i < RUNS; i++) {
      cases.bare.push(await timeToLine(['-e', 'console.log(1)'], { PATH: process.env.PATH }));
      cases.launcher.push(await timeToLine([main], gateEnv(dir, 'issue_comment')));
      cases.gate.push(await timeToLine([main], gateEnv(dir, 'issue_comment'), ready));
      cases.work.push(await timeToLine([main], gateEnv(dir, 'repository_dispatch'), ready));
    }
    const base = spread(cases.bare);
    console.log(`Main step start-up on Node ${process.versions.node} (${RUNS} runs each):`);
    show('bare node, first line', base);
    show('gate path, first output line (target < 100)', spread(cases.launcher), base);
    show('gate path, gate bundle loaded', spread(cases.gate), base);
    show('work path, work bundle loaded', spread(cases.work), base);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
