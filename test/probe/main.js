import { spawn } from 'node:child_process';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { exportVariable, input, saveState, setOutput, summary } from './lib.js';

const signalLog = path.join(process.env.RUNNER_TEMP, `probe-signals-${process.env.GITHUB_RUN_ID}.log`);
const ignoreSignals = input('ignore-signals') === 'true';

// One line per signal received, with the wall clock, so a test can check order and spacing.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    appendFileSync(signalLog, `${signal} ${Date.now()}\n`);
    if (ignoreSignals) return;
    saveState('interrupted', signal);
    process.exit(signal === 'SIGINT' ? 130 : 143);
  });
}

setOutput('signal-log', signalLog);
saveState('started', 'true');

const event = JSON.parse(readFileSync(process.env.GITHUB_EVENT_PATH, 'utf8'));
setOutput('greeting', input('greeting'));
setOutput('token', input('token'));
setOutput('who', input('who am i'));
setOutput(
  'input-names',
  Object.keys(process.env)
    .filter((k) => k.startsWith('INPUT_'))
    .sort()
    .join(','),
);
setOutput('env-names', Object.keys(process.env).sort().join(','));
setOutput('event', JSON.stringify(event));
setOutput('multiline', 'first line\nsecond line');
for (const name of [
  'GITHUB_EVENT_NAME',
  'GITHUB_REF',
  'GITHUB_SHA',
  'GITHUB_REPOSITORY',
  'GITHUB_RUN_ID',
  'GITHUB_WORKSPACE',
  'ACTIONS_CACHE_MODE',
  'ACTIONS_RUNTIME_TOKEN',
  'ACTIONS_RESULTS_URL',
]) {
  setOutput(name.toLowerCase().replace(/_/g, '-'), process.env[name] ?? '');
}
setOutput('cwd', process.cwd());
saveState('greeting', input('greeting'));
saveState('notes', 'kept for post\nacross two lines');
exportVariable('PROBE_FROM_MAIN', 'set-by-main');
summary(`### Probe main\n${input('greeting')} from run ${process.env.GITHUB_RUN_ID}`);
console.log('::warning title=Probe warning::careful%0Anext line');
console.log('::notice::probe main started');
// The runner masks the token in logs; the test checks the harness shows the log the same way.
console.log(`token in the log: ${input('token')}`);

if (input('spawn-grandchild') === 'true') {
  // Stays in main's process group; ignores the polite signals, so only a group kill ends it.
  const child = spawn(
    process.execPath,
    ['-e', "process.on('SIGINT',()=>{});process.on('SIGTERM',()=>{});setInterval(()=>{},1000)"],
    { stdio: 'ignore' },
  );
  setOutput('grandchild-pid', child.pid);
  saveState('grandchild', child.pid);
}

const eventType = input('dispatch-event-type');
if (eventType) {
  const [owner, repo] = process.env.GITHUB_REPOSITORY.split('/');
  const res = await fetch(`${process.env.GITHUB_API_URL}/repos/${owner}/${repo}/dispatches`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${input('token')}`,
      accept: 'application/vnd.github+json',
      'content-type': 'application/json',
    },
    body: JSON.stringify({ event_type: eventType, client_payload: JSON.parse(input('dispatch-payload')) }),
  });
  setOutput('dispatch-status', res.status);
}

// Tests wait for this file before cancelling: handlers are installed and the grandchild exists.
writeFileSync(
  path.join(process.env.RUNNER_TEMP, `probe-ready-${process.env.GITHUB_RUN_ID}`),
  String(process.pid),
);
const sleepMs = Number(input('sleep-ms'));
if (sleepMs > 0) await new Promise((resolve) => setTimeout(resolve, sleepMs));

if (input('fail') === 'true') {
  console.log('::error::probe failed as asked');
  process.exit(1);
}
saveState('finished', 'true');
// A grandchild would keep the event loop alive; the runner ends the step when main's process exits.
process.exit(0);
