// `npm run package`: compiles with tsc, then bundles one file per entry with ncc:
//   dist/gate  the gate (every matching event; no cache SDK, agent or gateway)
//   dist/work  the whole pipeline (trusted events, route/run phases, the sweep)
//   dist/post  the post step
//   dist/main  the launcher action.yml names: picks gate or work by event (src/launch.ts), unbundled
// Compiles first so a type error leaves the old dist/ in place.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';

const sh = (cmd, args) => execFileSync(cmd, args, { stdio: 'inherit' });
const ncc = (entry, out) =>
  sh('npx', ['--no-install', 'ncc', 'build', entry, '-o', out, '--license', 'licenses.txt']);

rmSync('build', { recursive: true, force: true });
sh('npx', ['--no-install', 'tsc', '-p', 'tsconfig.build.json']);
rmSync('dist', { recursive: true, force: true });
ncc('build/src/entry/gate.js', 'dist/gate');
ncc('build/src/entry/work.js', 'dist/work');
ncc('build/src/post.js', 'dist/post');
mkdirSync('dist/main', { recursive: true });
for (const file of ['main.js', 'launch.js', 'constants.js'])
  copyFileSync(`build/src/${file}`, `dist/main/${file}`);
// The launcher imports ./launch.js; action.yml runs dist/main/index.js.
copyFileSync('dist/main/main.js', 'dist/main/index.js');
rmSync('dist/main/main.js');
writeFileSync('dist/main/package.json', '{"type":"module"}\n');
rmSync('build', { recursive: true, force: true });
