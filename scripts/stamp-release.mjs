#!/usr/bin/env node
// Points every published reference to Pilot at one repository and release ref. The setting lives in
// one file, .github/pilot-ref (`owner/name@ref`; a placeholder owner during development); the
// reusable workflow, the starter templates and the docs spell that value out because GitHub reads
// `uses:` literally. The release workflow runs this with the repository it releases from.
//
//   node scripts/stamp-release.mjs acme/pilot@v1 [dir]        rewrite the old value to the new one
//   node scripts/stamp-release.mjs --check acme/pilot@v1 [dir] exit 1 when a file names anything else
//
// Only Pilot's own references change: `<old repo>` (with its reusable workflow path) and the `@<old ref>`
// right after it. Prints each file it changed or, with --check, each leftover as `file:line: text`.
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SETTING = '.github/pilot-ref';
/** Where Pilot is named for users: workflows, templates, docs. Tests read the setting file instead. */
const PUBLISHED = ['.github', 'workflows-templates', 'docs', '.'];
const TEXT = /\.(ya?ml|md|json)$/;
/** Owners used before a release: the development value and the old README's. Spelled in parts so this
 * script, which a release publishes too, does not name them itself. */
const PLACEHOLDERS = ['pilot-dev', 'OWNER'].map((owner) => `${owner}/pilot`);
const REF = /^([A-Za-z0-9][A-Za-z0-9-]{0,38})\/([A-Za-z0-9._-]{1,100})@([A-Za-z0-9._/-]{1,100})$/;

export function parseRef(text) {
  const m = REF.exec(text.trim());
  if (!m) throw new Error(`not an owner/name@ref: ${JSON.stringify(text.trim())} (e.g. acme/pilot@v1)`);
  return { repo: `${m[1]}/${m[2]}`, ref: m[3], text: `${m[1]}/${m[2]}@${m[3]}` };
}

/** The files a release publishes that may name Pilot (top level of `.` only: no tests, no sources). */
export function publishedFiles(dir) {
  return PUBLISHED.flatMap((sub) => {
    const abs = join(dir, sub);
    if (!existsSync(abs)) return [];
    const names = sub === '.' ? readdirSync(abs) : readdirSync(abs, { recursive: true });
    return names
      .map((name) => join(abs, String(name)))
      .filter((file) => TEXT.test(file) && statSync(file).isFile());
  });
}

const escapeRegExp = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `old.repo[/.github/workflows/pilot.yml]@old.ref` → the new value; any other mention of old.repo too. */
export function stampText(text, from, to) {
  const pinned = new RegExp(
    `${escapeRegExp(from.repo)}((?:/\\.github/workflows/[\\w.-]+)?)@${escapeRegExp(from.ref)}(?![\\w.-])`,
    'g',
  );
  return text.replace(pinned, `${to.repo}$1@${to.ref}`).replaceAll(from.repo, to.repo);
}

export function stamp(dir, to) {
  const from = parseRef(readFileSync(join(dir, SETTING), 'utf8'));
  const changed = [];
  for (const file of publishedFiles(dir)) {
    const text = readFileSync(file, 'utf8');
    const stamped = stampText(text, from, to);
    if (stamped !== text) {
      writeFileSync(file, stamped);
      changed.push(relative(dir, file));
    }
  }
  writeFileSync(join(dir, SETTING), `${to.text}\n`);
  return changed;
}

/** Lines that still name another repository or ref for Pilot than `to`. */
export function leftovers(dir, to, placeholders) {
  const setting = parseRef(readFileSync(join(dir, SETTING), 'utf8'));
  const found = setting.text === to.text ? [] : [`${SETTING}:1: ${setting.text}`];
  const words = placeholders.filter((p) => p !== to.repo);
  for (const file of publishedFiles(dir)) {
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (words.some((w) => line.includes(w)))
          found.push(`${relative(dir, file)}:${i + 1}: ${line.trim()}`);
      });
  }
  return found;
}

function main(argv) {
  const check = argv[0] === '--check';
  const [value, dir = resolve(dirname(fileURLToPath(import.meta.url)), '..')] = check ? argv.slice(1) : argv;
  if (!value) {
    console.error('usage: stamp-release.mjs [--check] owner/name@ref [dir]');
    return 2;
  }
  const to = parseRef(value);
  if (check) {
    const found = leftovers(dir, to, PLACEHOLDERS);
    for (const line of found) console.log(line);
    if (found.length === 0) console.log(`every published reference names ${to.text}`);
    return found.length ? 1 : 0;
  }
  for (const file of stamp(dir, to)) console.log(`stamped ${file}`);
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (error) {
    console.error(error.message);
    process.exitCode = 2;
  }
}
