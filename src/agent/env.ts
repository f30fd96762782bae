// The agent's environment is built from an allowlist, never copied from Pilot's own: Pilot's process
// holds the GitHub token, every INPUT_* and ACTIONS_RUNTIME_TOKEN.

/** Passed through from Pilot's environment when set. RUNNER_TRACKING_ID lets the runner find orphans. */
const PASSED = ['PATH', 'LANG', 'LANGUAGE', 'LC_ALL', 'LC_CTYPE', 'TZ', 'TERM', 'RUNNER_TRACKING_ID'];

/** What may point the CLI at the model: the gateway's variables, or a pass-through OAuth token. */
const MODEL_VARS = new Set([
  'ANTHROPIC_BASE_URL',
  'ANTHROPIC_API_KEY',
  'ANTHROPIC_AUTH_TOKEN',
  'CLAUDE_CODE_OAUTH_TOKEN',
]);

/** Never passed, whatever `agent-env` says (config refuses these names too; this is the last line). */
const NEVER =
  /^(GITHUB_TOKEN|GH_TOKEN|GH_ENTERPRISE_TOKEN|ACTIONS_.*|INPUT_.*|ANTHROPIC_.*|CLAUDE_CODE_OAUTH_TOKEN)$/i;

export interface AgentDirs {
  home: string;
  tmp: string;
  configDir: string;
}

export interface AgentEnvOptions {
  dirs: AgentDirs;
  /** The gateway's variables (`gatewayEnv(gw)`), or where no gateway runs, the model credential itself. */
  model: Record<string, string>;
  /** Extra variable names the user allowed with `agent-env`. */
  extra: string[];
  source?: NodeJS.ProcessEnv;
}

export function agentEnv(opts: AgentEnvOptions): Record<string, string> {
  const source = opts.source ?? process.env;
  const env: Record<string, string> = {};
  for (const name of [...PASSED, ...opts.extra]) {
    const value = source[name];
    if (value !== undefined && !NEVER.test(name)) env[name] = value;
  }
  for (const [name, value] of Object.entries(opts.model)) {
    if (MODEL_VARS.has(name)) env[name] = value;
  }
  Object.assign(env, {
    HOME: opts.dirs.home,
    TMPDIR: opts.dirs.tmp,
    // The CLI otherwise keeps task output in a shared /tmp/claude-<uid>/.
    CLAUDE_CODE_TMPDIR: opts.dirs.tmp,
    CLAUDE_CONFIG_DIR: opts.dirs.configDir,
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_AUTOUPDATER: '1',
  });
  return env;
}
