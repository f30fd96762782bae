import { gate } from '../pipeline/gate.js';
import { run } from '../pipeline/run.js';

await run({ gate });
