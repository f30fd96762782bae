// Reads an action's `action.yml` the way the runner does for a `node*` action: entry points,
// `post-if`, and input defaults (with `${{ github.* }}` expressions evaluated).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';

const scalar = z.union([z.string(), z.number(), z.boolean()]).transform(String);

const ActionYml = z.object({
  name: z.string().optional(),
  inputs: z
    .record(
      z.string(),
      z.object({ default: scalar.optional(), required: z.boolean().optional() }).loose().nullable(),
    )
    .optional(),
  runs: z.object({
    using: z.string().regex(/^node\d+$/, 'the harness runs JavaScript actions only (runs.using: nodeXX)'),
    main: z.string(),
    post: z.string().optional(),
    'post-if': z.string().optional(),
  }),
});

export interface ActionDefinition {
  dir: string;
  using: string;
  main: string;
  post?: string;
  postIf: string;
  /** Declared inputs and their raw (unevaluated) defaults. */
  inputs: Record<string, string | undefined>;
}

export async function loadAction(dir: string): Promise<ActionDefinition> {
  const file = path.join(dir, 'action.yml');
  const parsed = ActionYml.safeParse(parse(await readFile(file, 'utf8')));
  if (!parsed.success) throw new Error(`${file}: ${z.prettifyError(parsed.error)}`);
  const { runs, inputs } = parsed.data;
  return {
    dir,
    using: runs.using,
    main: path.join(dir, runs.main),
    post: runs.post ? path.join(dir, runs.post) : undefined,
    // The runner's default for a post step: run it whatever happened to main.
    postIf: runs['post-if'] ?? 'always()',
    inputs: Object.fromEntries(Object.entries(inputs ?? {}).map(([k, v]) => [k, v?.default])),
  };
}

/**
 * Evaluates `${{ github.<name> }}` in a default from the given context; other expressions stay as
 * literal text (enough for the defaults actions actually use, chiefly `${{ github.token }}`).
 */
export function evaluateDefault(value: string, github: Record<string, string>): string {
  return value.replace(
    /\$\{\{\s*github\.([A-Za-z_]+)\s*\}\}/g,
    (whole, name: string) => github[name] ?? whole,
  );
}

/** `INPUT_<NAME>`: upper-cased, spaces to `_`, hyphens kept (as @actions/core's getInput expects). */
export function inputEnvName(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

export interface StepStatus {
  failed: boolean;
  cancelled: boolean;
}

/** The status functions a `post-if` may use; anything else is refused rather than guessed. */
export function evaluatePostIf(expression: string, status: StepStatus): boolean {
  const expr = expression
    .trim()
    .replace(/^\$\{\{(.*)\}\}$/s, '$1')
    .trim();
  const fns: Record<string, boolean> = {
    'always()': true,
    'success()': !status.failed && !status.cancelled,
    'failure()': status.failed && !status.cancelled,
    'cancelled()': status.cancelled,
  };
  const negated = expr.startsWith('!');
  const value = fns[negated ? expr.slice(1).trim() : expr];
  if (value === undefined)
    throw new Error(`post-if ${JSON.stringify(expression)} is not supported by the harness`);
  return negated ? !value : value;
}
