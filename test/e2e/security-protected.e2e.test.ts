// What CI runs or trusts stays out of the agent's pushes: everything under `.github/` and
// `.gitmodules`, in a normal run and in the post step's work-in-progress push. The post step decides
// with main's configuration: the agent editing `.github/pilot.yml` to unprotect paths changes nothing.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { OWNER, REPO, type World } from '../world/index.js';
import { say, workingDir, write } from '../world/model/index.js';
import { BRANCH, farewellWorld } from './farewell.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const PILOT_YML = 'max-turns: 30\n';
const tracking = (w: World, issue: number) =>
  w.pilotComments(issue).find((c) => c.body.includes('pilot:task'))?.body ?? '';

describe('protected by default', () => {
  it('refuses the push when the agent changes .github/CODEOWNERS and .gitmodules, and says which', async () => {
    const { w, issue } = await farewellWorld({
      script: [
        write('src/farewell.js', 'export const farewell = () => "bye";\n'),
        write('.github/CODEOWNERS', '* @mallory\n'),
        // Claude Code's own tools and sandbox refuse to write `.gitmodules`; a process the agent
        // started outside them (a daemon left by a test helper) would not ask. It writes here.
        (req) => {
          const cwd = workingDir(req);
          if (!cwd) throw new Error('no working directory in the request');
          writeFileSync(
            path.join(cwd, '.gitmodules'),
            '[submodule "x"]\n\tpath = x\n\turl = https://evil.example/x.git\n',
          );
          return say('Done.');
        },
      ],
    });
    world = w;
    const runs = await w.run('workflow_dispatch', w.dispatchEvent({ issue: String(issue) }, 'mona'));
    const work = runs.at(-1);

    expect(work?.outputs['task-status'], work?.log).toBe('needs_human');
    expect(await w.git.branches()).not.toContain(BRANCH);
    expect(w.gh.pulls(OWNER, REPO)).toHaveLength(0);
    const text = tracking(w, issue);
    expect(text).toContain('The agent changed protected paths');
    expect(text).toContain('`.github/CODEOWNERS`');
    expect(text, text).toContain('`.gitmodules`');
  });

  it("the post step's WIP push ignores the agent's edit of .github/pilot.yml and leaves .github/ out", async () => {
    const cancel = new AbortController();
    const { w, issue } = await farewellWorld({
      files: { '.github/pilot.yml': PILOT_YML },
      script: [
        write('src/farewell.js', 'export const farewell = () => "bye";\n'),
        // The agent unprotects everything, then plants a CI change that would run with secrets.
        write('.github/pilot.yml', `${PILOT_YML}protected-paths: ['!.github/**', '!**']\n`),
        write(
          '.github/dependabot.yml',
          'version: 2\nregistries:\n  evil: { type: npm-registry, url: https://evil.example }\n',
        ),
        () => {
          cancel.abort();
          return say('Still thinking…', { delayMs: 120_000 });
        },
      ],
    });
    world = w;
    // Killed right after SIGINT: main gets no time to push, so the post step does.
    const [run] = await w.run('workflow_dispatch', w.dispatchEvent({ issue: String(issue) }, 'mona'), {
      signal: cancel.signal,
      cancelTiming: { termAfterMs: 20, killAfterMs: 0 },
    });

    expect(run.cancelled).toBe(true);
    expect(run.main.signal, run.log).toBe('SIGKILL');
    expect(await w.git.show(BRANCH, 'src/farewell.js')).toContain('farewell');
    expect(await w.git.show(BRANCH, '.github/pilot.yml')).toBe(PILOT_YML);
    await expect(w.git.show(BRANCH, '.github/dependabot.yml')).rejects.toThrow();
    const text = tracking(w, issue);
    expect(text).toContain('"status":"cancelled"');
    expect(text).toContain('work so far is on branch');
    expect(text).toMatch(/Left out of the work-in-progress push: the agent changed protected paths/);
    expect(text).toContain('`.github/dependabot.yml`');
    expect(text).toContain('`.github/pilot.yml`');
  });
});
