// What leaves the runner, end to end: the real claude CLI (scripted model) writes a file holding the
// run's GitHub token and a workflow file; Pilot pushes nothing and says why in the tracking comment,
// naming the refused path and the secret's file:line, never the value.
import { afterEach, describe, expect, it } from 'vitest';
import { OWNER, REPO, startWorld, type World } from '../world/index.js';
import type { ScriptStep } from '../world/model/index.js';
import { say, write } from '../world/model/index.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

/** A `write` whose content is known only once the world (and its token) exists. */
function lateWrite(file: string, content: () => string): ScriptStep {
  return (req) => {
    const step = write(file, content());
    return typeof step === 'function' ? step(req) : step;
  };
}

describe('the push guard, through the runner harness', () => {
  it('pushes nothing when the agent writes the token into a file and changes a workflow', async () => {
    let token = '';
    world = await startWorld({
      script: [
        lateWrite('src/config.js', () => `// settings\nexport const auth = '${token}';\n`),
        write('.github/workflows/exfil.yml', 'on: push\njobs: {}\n'),
        say('Done.'),
      ],
    });
    const w = world;
    token = w.gh.token;
    w.gh.setPermission(OWNER, REPO, 'mona', 'write');
    const issue = w.gh.addIssue(OWNER, REPO, { title: 'Wire the config', body: 'Please.', user: 'mona' });

    const runs = await w.run('issues', w.labelEvent(issue, 'pilot', 'mona'));
    const work = runs.at(-1);

    expect(await w.git.branches()).not.toContain('pilot/issue-1-wire-the-config');
    expect(w.gh.pulls(OWNER, REPO)).toHaveLength(0);
    expect(work?.outputs['task-status']).toBe('needs_human');
    const tracking = w.pilotComments(issue)[0].body;
    expect(tracking).toContain('`.github/workflows/exfil.yml`');
    expect(tracking).toContain('`src/config.js:2`');
    // The run's page points at the files themselves: error annotations with file and line.
    const errors = (work?.annotations ?? []).filter((a) => a.level === 'error');
    expect(errors).toContainEqual(
      expect.objectContaining({ title: 'Pilot refused the push', file: '.github/workflows/exfil.yml' }),
    );
    expect(errors).toContainEqual(
      expect.objectContaining({ title: 'Pilot refused the push', file: 'src/config.js', line: 2 }),
    );
    expect(JSON.stringify(errors)).not.toContain(token);
    for (const text of [tracking, work?.log ?? '', work?.summary ?? '', JSON.stringify(work?.outputs)]) {
      expect(text).not.toContain(token);
    }
  });
});
