import { bundleFor, launchLine } from './launch.js';

const bundle = bundleFor(process.env);
// Speaks before the bundle loads: the gate's log starts at once, however long the bundle takes.
process.stdout.write(`${launchLine(process.env, bundle)}\n`);
await import(new URL(`../${bundle}/index.js`, import.meta.url).href);
