// A mistake in `.github/pilot.yml` fails the run with an error annotation on the file and line, so the
// run's page points at the line to fix (through the runner harness, the built action, real files).
import { afterEach, describe, expect, it } from 'vitest';
import { OWNER, REPO, startWorld, type World } from '../world/index.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe('configuration mistakes', () => {
  it('are annotated on .github/pilot.yml at their line, and nothing is dispatched', async () => {
    world = await startWorld({
      files: { '.github/pilot.yml': 'model: sonnet\nmax_turn: 40\nautopilot: always\n' },
    });
    const w = world;
    w.gh.setPermission(OWNER, REPO, 'mona', 'write');
    const issue = w.gh.addIssue(OWNER, REPO, {
      title: 'Add a farewell helper',
      body: 'Please.',
      user: 'mona',
    });
    const runs = await w.run('issues', w.labelEvent(issue, 'pilot', 'mona'));
    expect(runs).toHaveLength(1);
    expect(runs[0].exitCode).toBe(1);
    const errors = runs[0].annotations.filter((a) => a.level === 'error');
    expect(errors).toContainEqual(
      expect.objectContaining({
        title: 'Pilot configuration',
        file: '.github/pilot.yml',
        line: 2,
        message: expect.stringContaining("did you mean 'max-turns'?"),
      }),
    );
    expect(errors).toContainEqual(
      expect.objectContaining({
        file: '.github/pilot.yml',
        line: 3,
        message: expect.stringContaining('autopilot'),
      }),
    );
  });
});
