// The agent's environment is built from an allowlist, never copied from Pilot's own: Pilot's process
// holds the GitHub token, every INPUT_* and ACTIONS_RUNTIME_TOKEN.
import { mkdirSync } from 'node:fs';
import path from 'node:path';

const PASSED = ['PATH', 'LANG', 'LC_ALL', 'LC_CTYPE', 'TZ', 'TERM', 'RUNNER_TRACKING_ID'];

export interface ModelAccess {
  apiKey?: string;
  oauthToken?: string;
  baseUrl?: string;
}

export interface AgentEnvOptions {
  home: string;
  model: ModelAccess;
  /** Extra variable names the user allowed with `agent-env`. */
  extra: string[];
  source?: NodeJS.ProcessEnv;
}

export function agentEnv(opts: AgentEnvOptions): Record<string, string> {
  const source = opts.source ?? process.env;
  const env: Record<string, string> = {};
  for (const name of [...PASSED, ...opts.extra]) {
    const value = source[name];
    if (value !== undefined && !/^(INPUT_|ACTIONS_|GITHUB_TOKEN$)/.test(name)) env[name] = value;
  }
  const configDir = path.join(opts.home, '.claude');
  const tmp = path.join(opts.home, 'tmp');
  mkdirSync(configDir, { recursive: true });
  mkdirSync(tmp, { recursive: true });
  Object.assign(env, {
    HOME: opts.home,
    TMPDIR: tmp,
    CLAUDE_CONFIG_DIR: configDir,
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_AUTOUPDATER: '1',
  });
  if (opts.model.baseUrl) env.ANTHROPIC_BASE_URL = opts.model.baseUrl;
  if (opts.model.apiKey) env.ANTHROPIC_API_KEY = opts.model.apiKey;
  else if (opts.model.oauthToken) env.CLAUDE_CODE_OAUTH_TOKEN = opts.model.oauthToken;
  return env;
}
