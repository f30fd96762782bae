// `npm run demo`: the whole label → gate → dispatch → work run → PR flow, offline, against the local
// world (GitHub emulator, cache service, bare git origin, and a scripted model — or the real model
// when ANTHROPIC_API_KEY is set). Prints the tracking comment, the pull request and its diff.
//
// Run as root, Pilot creates the system user `pilot-agent` for the agent, as it would on a runner.
// PILOT_DEMO_NO_USER=1 skips that layer: the action is told to use `root` as the agent's user, which
// Pilot refuses (same uid as itself), so no user is created, the agent runs as you and the tracking
// comment lists the separate user under weaker isolation.
import { OWNER, REPO, startWorld } from '../test/world/index.js';
import { bash, say, write } from '../test/world/model/index.js';

const realKey = process.env.ANTHROPIC_API_KEY;
const noUser = process.env.PILOT_DEMO_NO_USER === '1';
const script = [
  write('src/farewell.js', 'export function farewell(name) {\n  return `Goodbye, ${name}!`;\n}\n'),
  bash('npm test', 'Run the tests'),
  say('Added `farewell(name)` in src/farewell.js next to `greet`; the existing tests still pass.'),
];

function heading(text: string): void {
  console.log(`\n\x1b[1m── ${text} ${'─'.repeat(Math.max(0, 70 - text.length))}\x1b[0m`);
}

async function main(): Promise<void> {
  const world = await startWorld({
    script: realKey ? [] : script,
    inputs: {
      'allowed-bash': 'npm test',
      ...(realKey ? { 'anthropic-api-key': realKey, 'anthropic-base-url': '', model: '' } : {}),
    },
  });
  try {
    console.log(
      realKey ? 'Using the real model (ANTHROPIC_API_KEY is set).' : 'Using the scripted local model.',
    );
    if (noUser) console.log('PILOT_DEMO_NO_USER=1: no separate user for the agent (none is created).');
    else if (process.geteuid?.() === 0)
      console.log(
        'Running as root: Pilot creates the system user pilot-agent for the agent (PILOT_DEMO_NO_USER=1 skips it).',
      );
    world.gh.setPermission(OWNER, REPO, 'mona', 'write');
    const issue = world.gh.addIssue(OWNER, REPO, {
      title: 'Add a farewell helper',
      body: 'We have `greet(name)` in src/greet.js. Please add `farewell(name)` returning "Goodbye, <name>!".',
      user: 'mona',
    });
    heading(`@mona labels issue #${issue} "pilot"`);
    const runs = await world.run(
      'issues',
      world.labelEvent(issue, 'pilot', 'mona'),
      noUser ? { extraEnv: { PILOT_AGENT_USER: 'root' } } : {},
    );
    for (const r of runs) {
      console.log(
        `run ${r.runId} (${r.env.GITHUB_EVENT_NAME}, cache ${r.cacheMode}): exit ${r.exitCode}, conclusion=${r.outputs.conclusion}`,
      );
    }
    heading('Tracking comment');
    const tracking = world.pilotComments(issue).find((c) => c.body.includes('pilot:task'));
    console.log(tracking?.body.replace(/<!-- pilot:task[\s\S]*?-->/, '<!-- pilot:task … -->') ?? '(none)');
    const pull = world.gh.pulls(OWNER, REPO)[0];
    heading('Pull request');
    console.log(
      pull
        ? `#${pull.number} ${pull.title}  (${pull.head.ref} → ${pull.base.ref})\n\n${pull.body}`
        : '(none)',
    );
    if (pull) {
      heading('Diff');
      console.log(await world.git.git(['diff', `${pull.base.ref}...${pull.head.ref}`], world.git.origin));
    }
    if (runs.some((r) => r.exitCode !== 0)) process.exitCode = 1;
  } finally {
    await world.close();
  }
}

await main();
