// Reads Pilot's workflow files as plain data for the policy tests.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse } from 'yaml';

export const ROOT = join(import.meta.dirname, '..', '..');
export const REUSABLE = '.github/workflows/pilot.yml';
/**
 * How the templates and the reusable workflow name Pilot: the one setting in .github/pilot-ref
 * (`owner/name@ref`), which the release workflow stamps (scripts/stamp-release.mjs).
 */
const [PILOT_REPOSITORY, PILOT_REF] = readFileSync(join(ROOT, '.github', 'pilot-ref'), 'utf8')
  .trim()
  .split('@');
export const PILOT_ACTION = PILOT_REPOSITORY;
export const PILOT_RELEASE_REF = PILOT_REF;
export const PILOT_REUSABLE = `${PILOT_ACTION}/${REUSABLE}`;

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type Obj = Record<string, unknown>;

export interface WorkflowFile {
  /** Path relative to the repository root. */
  path: string;
  text: string;
  doc: Obj;
}

function yamlFiles(dir: string): string[] {
  const abs = join(ROOT, dir);
  if (!existsSync(abs)) return [];
  return readdirSync(abs)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => join(dir, f));
}

export function load(path: string): WorkflowFile {
  const text = readFileSync(join(ROOT, path), 'utf8');
  return { path: relative(ROOT, join(ROOT, path)), text, doc: parse(text) as Obj };
}

/** Every workflow in the repository and every starter template. */
export function allWorkflows(): WorkflowFile[] {
  return [...yamlFiles('.github/workflows'), ...yamlFiles('workflows-templates')].map(load);
}

/** The files that make up Pilot for users: the reusable workflow and the starter templates. */
export function pilotWorkflows(): WorkflowFile[] {
  return [REUSABLE, ...yamlFiles('workflows-templates')].map(load);
}

export const asObj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});

export function jobs(doc: Obj): Array<[string, Obj]> {
  return Object.entries(asObj(doc.jobs)).map(([id, job]) => [id, asObj(job)]);
}

export function steps(job: Obj): Obj[] {
  return Array.isArray(job.steps) ? job.steps.map(asObj) : [];
}

/** Steps that run the Pilot action (any ref), with their job id. */
export function pilotSteps(wf: WorkflowFile): Array<{ job: string; step: Obj }> {
  return jobs(wf.doc).flatMap(([job, j]) =>
    steps(j)
      .filter((s) => typeof s.uses === 'string' && s.uses.startsWith(`${PILOT_ACTION}@`))
      .map((step) => ({ job, step })),
  );
}

/** Jobs that call the reusable workflow (any ref). */
export function reusableCalls(wf: WorkflowFile): Array<{ job: string; call: Obj }> {
  return jobs(wf.doc)
    .filter(([, j]) => typeof j.uses === 'string' && j.uses.startsWith(`${PILOT_REUSABLE}@`))
    .map(([job, call]) => ({ job, call }));
}

/** `on:` as an object (YAML reads a bare `on: push` as a string). */
export function triggers(doc: Obj): Obj {
  const on = doc.on ?? doc.true; // YAML 1.1 readers turn `on` into true; `yaml` 2 does not, but be safe
  if (typeof on === 'string') return { [on]: null };
  if (Array.isArray(on)) return Object.fromEntries(on.map((e) => [String(e), null]));
  return asObj(on);
}

export function workflowCall(doc: Obj): { inputs: Obj; secrets: Obj; outputs: Obj } {
  const call = asObj(triggers(doc).workflow_call);
  return { inputs: asObj(call.inputs), secrets: asObj(call.secrets), outputs: asObj(call.outputs) };
}
