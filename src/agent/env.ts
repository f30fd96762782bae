// The agent's environment is built from an allowlist, never copied from Pilot's own: Pilot's process
// holds the GitHub token, every INPUT_* and ACTIONS_RUNTIME_TOKEN.

/** Passed through from Pilot's environment when set. RUNNER_TRACKING_ID lets the runner find orphans. */
const PASSED = ['PATH', 'LANG', 'LANGUAGE', 'LC_ALL', 'LC_CTYPE', 'TZ', 'TERM', 'RUNNER_TRACKING_ID'];

/**
 * What may point the CLI at the model: the gateway's variables (on Bedrock and Vertex: the provider
 * switch, region, project, the gateway's URL and the per-run key in a custom header), or a
 * pass-through OAuth token.
 */
const MODEL_VARS = new Set([
  'ANTHROPIC_BASE_URL',
  'ANTHROPIC_API_KEY',
  'ANTHROPIC_AUTH_TOKEN',
  'CLAUDE_CODE_OAUTH_TOKEN',
  'ANTHROPIC_CUSTOM_HEADERS',
  'CLAUDE_CODE_USE_BEDROCK',
  'AWS_REGION',
  'ANTHROPIC_BEDROCK_BASE_URL',
  'CLAUDE_CODE_SKIP_BEDROCK_AUTH',
  'CLAUDE_CODE_USE_VERTEX',
  'CLOUD_ML_REGION',
  'ANTHROPIC_VERTEX_PROJECT_ID',
  'ANTHROPIC_VERTEX_BASE_URL',
  'CLAUDE_CODE_SKIP_VERTEX_AUTH',
]);

/**
 * Never passed, whatever `agent-env` says (config refuses these names too; this is the last line).
 * Cloud credentials go with the model keys: aws-actions/configure-aws-credentials exports `AWS_*`,
 * google-github-actions/auth `GOOGLE_*`, `CLOUDSDK_*` and `GCLOUD_*`; only the gateway may use them.
 */
const NEVER =
  /^(GITHUB_TOKEN|GH_TOKEN|GH_ENTERPRISE_TOKEN|ACTIONS_.*|INPUT_.*|ANTHROPIC_.*|CLAUDE_CODE_OAUTH_TOKEN|AWS_.*|GOOGLE_.*|CLOUDSDK_.*|GCLOUD_.*|GCP_.*)$/i;

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
