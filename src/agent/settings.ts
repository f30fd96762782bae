// Pilot's own Claude Code settings, passed with `--settings` (with `--setting-sources user` nothing
// in the working tree is read). Keys checked against the pinned CLI (2.1.331) and the permissions
// docs: a path rule starting with `//` is absolute, `./` is relative to the working directory.
import { writeFile } from 'node:fs/promises';

export interface SettingsOptions {
  workspace: string;
  runnerTemp: string;
  /** The agent's CLAUDE_CONFIG_DIR: its own settings there must not be edited to loosen these. */
  configDir: string;
  /** Hosts sandboxed commands may reach: the gateway's, plus the ones the user listed. */
  allowedHosts: string[];
  /** Whether the sandbox was found to work here; then the CLI must fail rather than run unsandboxed. */
  sandboxAvailable: boolean;
  /** Further directories the agent must not read (the runner's own install, its credentials). */
  runnerDirs?: string[];
}

/** Where a runner keeps its registration and credentials (`.runner`, `.credentials*`). */
export function runnerDirsOf(workspace: string): string[] {
  const dirs = ['/home/runner/runners', '/home/runner/actions-runner', '/actions-runner'];
  // Self-hosted: the runner's root holds `_work/`, the parent of every workspace.
  const work = /^(.*)\/_work\//.exec(workspace)?.[1];
  if (work)
    dirs.push(`${work}/.runner`, `${work}/.credentials`, `${work}/.credentials_rsaparams`, `${work}/_diag`);
  return dirs;
}

function absolute(dir: string): string {
  return `/${dir.replace(/\/+$/, '')}`;
}

function denyRules(opts: SettingsOptions): string[] {
  const trees = ['/proc', opts.runnerTemp, ...(opts.runnerDirs ?? [])].map((d) => `${absolute(d)}/**`);
  const files = [
    './.git/config',
    `${absolute(opts.workspace)}/.git/config`,
    `${absolute(opts.configDir)}/settings.json`,
    `${absolute(opts.configDir)}/settings.local.json`,
  ];
  const rules: string[] = [];
  for (const target of [...trees, ...files]) rules.push(`Read(${target})`, `Edit(${target})`);
  // The agent edits the working tree, never a repository's machinery: Pilot's `.git`, and no nested
  // `sub/.git` (file or directory) either, whose config Pilot's git would otherwise be asked to trust.
  const ws = absolute(opts.workspace);
  for (const target of ['**/.git/**', `${ws}/**/.git/**`]) rules.push(`Read(${target})`, `Edit(${target})`);
  rules.push('Edit(./.git/**)', `Edit(${ws}/.git/**)`, 'Edit(**/.git)', `Edit(${ws}/**/.git)`);
  return rules;
}

export function buildSettings(opts: SettingsOptions): Record<string, unknown> {
  return {
    permissions: {
      deny: denyRules(opts),
      disableBypassPermissionsMode: 'disable',
    },
    sandbox: {
      enabled: true,
      failIfUnavailable: opts.sandboxAvailable,
      // Sandboxed commands still need an allowed-bash rule: the sandbox is a second fence, not a pass.
      autoAllowBashIfSandboxed: false,
      allowUnsandboxedCommands: false,
      network: { allowedDomains: [...new Set(opts.allowedHosts)], strictAllowlist: true },
      filesystem: {
        denyRead: [opts.runnerTemp, ...(opts.runnerDirs ?? [])],
        // On Linux the sandbox skips glob patterns (it warns "Skipping glob write pattern"), keeping its
        // own mandatory denies for `.git/hooks` and `.git/config` near the working directory; what holds
        // everywhere is Pilot's side: its git runs nothing from a repository and commits no `.git` path.
        denyWrite: [
          `${opts.workspace}/.git`,
          `${opts.workspace}/**/.git`,
          `${opts.workspace}/**/.git/**`,
          `${opts.configDir}/settings.json`,
          `${opts.configDir}/settings.local.json`,
        ],
      },
    },
    disableAllHooks: true,
    enableAllProjectMcpServers: false,
  };
}

/** Written by Pilot into a directory the agent cannot write, readable by the agent's user. */
export async function writeSettings(file: string, settings: Record<string, unknown>): Promise<void> {
  await writeFile(file, `${JSON.stringify(settings, null, 2)}\n`, { mode: 0o644 });
}
