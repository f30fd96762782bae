import { approveEpic, isApproval } from '../pipeline/epic-approve.js';
import { gate } from '../pipeline/gate.js';
import { isMemoryCommand, memoryWork } from '../pipeline/memory-commands.js';
import { ops } from '../pipeline/ops.js';
import { route } from '../pipeline/route.js';
import { run } from '../pipeline/run.js';
import { serveWork } from '../pipeline/serve.js';
import { sweep } from '../pipeline/sweep.js';
import { work } from '../pipeline/work.js';

await run({
  gate,
  route,
  sweep,
  ops,
  work: (deps, intent) =>
    isMemoryCommand(intent)
      ? memoryWork(deps, intent)
      : isApproval(intent)
        ? approveEpic(deps, intent)
        : serveWork(deps, intent, work),
});
