// `.github/pilot-ops.yml`: the services ops mode checks, and the playbooks it may run for them. Parsed
// with `yaml` keeping positions and validated with zod; every problem names the file and the line, so
// a user fixes the inventory without reading Pilot's source.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { isNode, LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { ConfigError, type ConfigProblem, fileWhere } from '../config/errors.js';

export const INVENTORY_PATH = '.github/pilot-ops.yml';
export const DEFAULT_HEAL_AFTER = 2;
/** The issue's defaults: a restart (tier 2) at most twice per 4 hours, a redeploy (tier 3) once a day. */
export const TIER_DEFAULTS = { 2: { max: 2, windowHours: 4 }, 3: { max: 1, windowHours: 24 } } as const;

const NAME = /^[a-z0-9][a-z0-9-]{0,39}$/;
const name = z.string().regex(NAME, 'a lower-case name of letters, digits and hyphens (at most 40)');
const seconds = z.number().positive().max(300);
const common = { name: z.string().min(1).max(80).optional(), 'timeout-seconds': seconds.default(10) };

const HttpCheck = z.strictObject({
  type: z.literal('http'),
  url: z.url({ protocol: /^https?$/ }),
  status: z.number().int().min(100).max(599).default(200),
  body: z.string().min(1).optional(),
  'body-regex': z
    .string()
    .refine((text) => {
      try {
        new RegExp(text);
        return true;
      } catch {
        return false;
      }
    }, 'a JavaScript regular expression')
    .optional(),
  'max-latency-ms': z.number().int().positive().optional(),
  ...common,
});
const TcpCheck = z.strictObject({
  type: z.literal('tcp'),
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535),
  ...common,
});
const DnsCheck = z.strictObject({ type: z.literal('dns'), host: z.string().min(1), ...common });
const CommandCheck = z.strictObject({
  type: z.literal('command'),
  run: z.string().min(1),
  'exit-code': z.number().int().min(0).max(255).default(0),
  ...common,
});
export const Check = z.discriminatedUnion('type', [HttpCheck, TcpCheck, DnsCheck, CommandCheck]);
export type Check = z.infer<typeof Check>;

const Playbook = z.strictObject({
  name,
  tier: z.union([z.literal(2), z.literal(3)], {
    error: 'tier 2 (safe, Pilot runs it) or 3 (risky, runs only after an approval)',
  }),
  run: z.string().min(1),
  description: z.string().max(500).optional(),
  'max-per-window': z.number().int().min(1).max(100).optional(),
  'window-hours': z
    .number()
    .positive()
    .max(24 * 30)
    .optional(),
  'timeout-seconds': seconds.default(120),
});
export type Playbook = z.infer<typeof Playbook>;

const Service = z.strictObject({
  name,
  description: z.string().max(500).optional(),
  'runs-on': z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
  checks: z.array(Check).min(1),
  playbooks: z.array(Playbook).default([]),
});
export type Service = z.infer<typeof Service>;

export const Inventory = z
  .strictObject({
    'heal-after': z.number().int().min(1).max(100).default(DEFAULT_HEAL_AFTER),
    concurrency: z.number().int().min(1).max(32).default(4),
    services: z.array(Service).min(1),
  })
  .superRefine((inv, ctx) => {
    const seen = new Set<string>();
    inv.services.forEach((s, i) => {
      if (seen.has(s.name))
        ctx.addIssue({
          code: 'custom',
          path: ['services', i, 'name'],
          message: `a second service named ${s.name}`,
        });
      seen.add(s.name);
      const books = new Set<string>();
      s.playbooks.forEach((p, j) => {
        if (books.has(p.name))
          ctx.addIssue({
            code: 'custom',
            path: ['services', i, 'playbooks', j, 'name'],
            message: `a second playbook named ${p.name} in ${s.name}`,
          });
        books.add(p.name);
      });
    });
  });
export type Inventory = z.infer<typeof Inventory>;

/** A playbook's allowance: its own numbers, else its tier's defaults. */
export function allowanceOf(book: Playbook): { max: number; windowHours: number } {
  const base = TIER_DEFAULTS[book.tier];
  return { max: book['max-per-window'] ?? base.max, windowHours: book['window-hours'] ?? base.windowHours };
}

/** The line a zod issue's path points at: the deepest node of the path that the file has. */
function lineOf(
  doc: ReturnType<typeof parseDocument>,
  lines: LineCounter,
  path: PropertyKey[],
): number | undefined {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = doc.getIn(path.slice(0, depth) as Array<string | number>, true);
    if (isNode(node) && node.range) return lines.linePos(node.range[0]).line;
  }
  return undefined;
}

/** Parsers notice an unclosed bracket at the end of the file: point at the last line with text. */
function lastText(text: string, line: number | undefined): number | undefined {
  if (line === undefined) return undefined;
  const lines = text.split(/\r?\n/);
  let at = Math.min(line, lines.length);
  while (at > 1 && (lines[at - 1] ?? '').trim() === '') at--;
  return at;
}

function problemAt(file: string, line: number | undefined, key: string, message: string): ConfigProblem {
  const where = fileWhere(file, line);
  return { key, where, file, line, message: `${where}: ${key ? `${key}: ` : ''}${message}` };
}

/** Parses and validates inventory text; throws ConfigError naming file:line for every problem. */
export function parseInventory(text: string, file = INVENTORY_PATH): Inventory {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((e) =>
        problemAt(
          file,
          lastText(text, e.linePos?.[0]?.line),
          '',
          `not valid YAML (${e.message.split('\n')[0]})`,
        ),
      ),
    );
  }
  const parsed = Inventory.safeParse(doc.toJS());
  if (parsed.success) return parsed.data;
  throw new ConfigError(
    parsed.error.issues.map((issue) =>
      problemAt(file, lineOf(doc, lines, issue.path), issue.path.join('.'), `${issue.message}`),
    ),
  );
}

/** Reads the inventory from the workspace; a missing file is an error that says how to write one. */
export function readInventory(workspace: string, file = INVENTORY_PATH): Inventory {
  let text: string;
  try {
    text = readFileSync(resolve(workspace, file), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigError([
      problemAt(
        file,
        undefined,
        '',
        `${code === 'ENOENT' ? 'no such file' : code}: ops mode needs an inventory of services (see docs/ops.md)`,
      ),
    ]);
  }
  return parseInventory(text, file);
}
