import { run } from './pipeline/run.js';

await run();
