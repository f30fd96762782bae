// An epic's plan as the planning run returns it: shape, bounds, dependencies and cycles (pure, table-tested).
import { describe, expect, it } from 'vitest';
import { dependencyOrder, planJsonSchema, validatePlan } from '../../src/pipeline/epic-plan.js';

const task = (title: string, dependsOn: number[] = []) => ({
  title,
  body: `Acceptance: ${title} works.`,
  files: [`src/${title.toLowerCase()}.ts`],
  dependsOn,
  size: 'simple',
});

describe('validatePlan', () => {
  it('accepts the diamond A → (B, C) → D and orders it by dependencies', () => {
    const verdict = validatePlan({ tasks: [task('A'), task('B', [0]), task('C', [0]), task('D', [1, 2])] });
    expect(verdict).toMatchObject({ ok: true, order: [0, 1, 2, 3] });
  });

  const refused: Array<[string, unknown, number, RegExp]> = [
    [
      'a cycle',
      { tasks: [task('A', [2]), task('B', [0]), task('C', [1])] },
      10,
      /sub-tasks 1, 2, 3 depend on each other in a cycle/,
    ],
    ['a task depending on itself', { tasks: [task('A', [0])] }, 10, /sub-task 1 \("A"\) depends on itself/],
    [
      'a dependency the plan lacks',
      { tasks: [task('A', [4])] },
      10,
      /depends on sub-task 5, which the plan does not have/,
    ],
    [
      'more sub-tasks than max-sub-issues',
      { tasks: [task('A'), task('B'), task('C')] },
      2,
      /3 sub-tasks; at most 2/,
    ],
    ['no sub-tasks', { tasks: [] }, 10, /not in the expected shape \(tasks:/],
    ['an unknown size', { tasks: [{ ...task('A'), size: 'huge' }] }, 10, /tasks\.0\.size/],
    [
      'an extra key (the model’s own idea)',
      { tasks: [task('A')], run: 'rm -rf /' },
      10,
      /not in the expected shape/,
    ],
    ['not an object at all', 'tasks: A, B', 10, /not in the expected shape/],
  ];
  it.each(refused)('refuses %s with a clear reason', (_name, raw, max, reason) => {
    const verdict = validatePlan(raw, max);
    expect(verdict.ok).toBe(false);
    expect(verdict.ok ? '' : verdict.problem).toMatch(reason);
  });
});

describe('dependencyOrder', () => {
  it('names only the tasks caught in a cycle', () => {
    expect(dependencyOrder([{ dependsOn: [] }, { dependsOn: [2] }, { dependsOn: [1] }])).toEqual({
      order: [0],
      cycle: [1, 2],
    });
  });
});

describe('planJsonSchema', () => {
  it('describes the plan for --json-schema: tasks with title, body, size required', () => {
    const schema = planJsonSchema() as { properties: { tasks: { items: { required: string[] } } } };
    expect(schema.properties.tasks.items.required).toEqual(expect.arrayContaining(['title', 'body', 'size']));
  });
});
