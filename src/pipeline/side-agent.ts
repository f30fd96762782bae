// The isolation options for a run of the agent that is not a task's work run (an epic's planning run,
// an ops investigation): the pinned CLI installed, and the same isolation layers as any agent run.
import * as core from '@actions/core';
import { installClaude } from '../agent/install/index.js';
import { type IsolatedRunOptions, isolatedRunOptions } from '../agent/isolation/index.js';
import { redact } from '../security/redact.js';
import type { Deps } from './deps.js';

export async function sideAgentOptions(deps: Deps): Promise<IsolatedRunOptions> {
  const { config, ctx } = deps;
  const installed = await installClaude({
    version: config.claudeCodeVersion,
    claudePath: config.claudePath,
    log: (line) => core.info(line),
  });
  return isolatedRunOptions({ ...config, claudePath: installed.path }, ctx, { layers: [] }, (line) =>
    core.info(redact(line)),
  );
}
