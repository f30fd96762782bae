// What the scripted agent tries in the isolation e2e, and the local things it tries them against:
// two loopback servers (one allowed by `allowed-hosts`, one not), Pilot's own process, the runner's
// credentials, files outside the workspace, processes meant to outlive the step.
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LoopbackServer {
  port: number;
  url: string;
  /** Requests that reached it. */
  hits(): number;
  close(): Promise<void>;
}

/** Answers every request with `body`, counting them. */
export async function startLoopbackServer(body: string): Promise<LoopbackServer> {
  let hits = 0;
  const server = createServer((_req, res) => {
    hits++;
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: `http://127.0.0.1:${port}/`,
    hits: () => hits,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface ProbeTargets {
  runnerTemp: string;
  /** The runner's registration credentials (`.credentials` in the runner's directory). */
  credentials: string;
  /** Files outside the workspace the agent tries to create. */
  outside: string[];
  allowedUrl: string;
  refusedUrl: string;
}

/**
 * The probes Claude Code cannot check before running (variables, loops, redirections) run from a
 * script the agent writes; it deletes itself so it is not committed. Each section's heading lets
 * the test cut the output into its parts.
 */
export function probeScript(t: ProbeTargets): string {
  const curl = 'curl -s -S -m 5';
  // The sandbox sets NO_PROXY=127.0.0.1,…, which curl honours even with -x: force the proxy.
  const viaProxy = `${curl} --noproxy '' -x "$HTTP_PROXY"`;
  return [
    'echo "== every process"',
    'for f in /proc/[0-9]*/environ; do tr "\\0" "\\n" < "$f" 2>&1 | grep -a -E "TOKEN|KEY|INPUT_|ACTIONS_|CLAUDE_CONFIG_DIR|denied"; done',
    'echo "== runner temp"',
    `ls -la ${t.runnerTemp} 2>&1; cat ${t.runnerTemp}/* 2>&1`,
    'echo "== credentials"',
    `cat ${t.credentials} 2>&1`,
    'echo "== sudo"',
    'sudo -n true 2>&1 && echo "SUDO WORKED"',
    'echo "== write outside"',
    ...t.outside.map((f) => `echo escaped > ${f} 2>&1 || echo "refused: ${f}"`),
    'echo "== egress direct"',
    `${curl} --noproxy '*' ${t.refusedUrl} 2>&1`,
    'echo; echo "== egress proxy"',
    `${viaProxy} ${t.refusedUrl} 2>&1`,
    'echo; echo "== allowed host"',
    `${viaProxy} ${t.allowedUrl} 2>&1`,
    'echo; echo "== gateway"',
    `${viaProxy} -o /dev/null -w "gateway answered %{http_code}\\n" "$ANTHROPIC_BASE_URL/v1/models" 2>&1`,
    'rm -f -- "$0"',
    '',
  ].join('\n');
}

/** The text between `== name` and the next heading of the probe script's output. */
export function section(output: string, name: string): string {
  const start = output.indexOf(`== ${name}\n`);
  if (start < 0) return '';
  const rest = output.slice(start + name.length + 4);
  const end = rest.indexOf('\n== ');
  return end < 0 ? rest : rest.slice(0, end);
}

/**
 * Leaves processes behind the three usual ways: a new session (setsid), nohup in the background,
 * and a double fork (the grandchild is re-parented to init). `tag` names the script they run, so
 * the test can find them by command line.
 */
export function leaveBehindScript(tag: string): string {
  return [
    `setsid sh ${tag}.sh >/dev/null 2>&1 < /dev/null &`,
    `nohup sh ${tag}.sh >/dev/null 2>&1 < /dev/null &`,
    `(sh ${tag}.sh >/dev/null 2>&1 < /dev/null &) &`,
    'sleep 1',
    `echo "left behind: $(pgrep -f -c ${tag})"`,
    '',
  ].join('\n');
}

/** Processes anywhere on the machine whose command line mentions `tag`. */
export function processesTagged(tag: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (cmdline.includes(tag)) found.push(`${entry}: ${cmdline.trim()}`);
    } catch {
      // gone
    }
  }
  return found;
}

/** Pilot's own process for a workspace: the one whose environment has its inputs and that workspace. */
export function pilotPid(workspace: string): number | undefined {
  const needle = Buffer.from(`GITHUB_WORKSPACE=${workspace}\0`);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const environ = readFileSync(`/proc/${entry}/environ`);
      if (environ.includes(needle) && environ.includes('INPUT_GITHUB-TOKEN=')) return Number(entry);
    } catch {
      // gone
    }
  }
  return undefined;
}
