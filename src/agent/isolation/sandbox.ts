// Can Claude Code's Bash sandbox run here? On Linux it needs bubblewrap (`bwrap`) and `socat`, and
// bubblewrap needs unprivileged user namespaces (container seccomp profiles often refuse them).
// Checked before the run so the job summary can say which layer is missing and why.
import type { Runner } from './exec.js';
import { why } from './exec.js';

export type SandboxSupport = { ok: true } | { ok: false; reason: string };

async function onPath(run: Runner, tool: string): Promise<boolean> {
  const found = await run('sh', ['-c', `command -v ${tool}`]);
  return found.code === 0;
}

/** `run` should start commands as the agent's user when there is one: the sandbox runs as that user. */
export async function sandboxSupport(
  run: Runner,
  platform: NodeJS.Platform = process.platform,
): Promise<SandboxSupport> {
  if (platform === 'darwin') return { ok: true };
  if (platform !== 'linux') return { ok: false, reason: `no Bash sandbox on ${platform}` };
  const missing = [];
  for (const tool of ['bwrap', 'socat']) if (!(await onPath(run, tool))) missing.push(tool);
  if (missing.length)
    return { ok: false, reason: `${missing.join(' and ')} not installed (packages bubblewrap, socat)` };
  const probe = await run('bwrap', [
    '--ro-bind',
    '/',
    '/',
    '--dev',
    '/dev',
    '--unshare-all',
    '--proc',
    '/proc',
    'true',
  ]);
  if (probe.code !== 0)
    return { ok: false, reason: `bubblewrap cannot start here (user namespaces refused?): ${why(probe)}` };
  return { ok: true };
}
