// The environment for spawning the real `claude` CLI offline: nothing inherited from the developer's
// machine (no real key, no ~/.claude config, no autoupdate or telemetry traffic) except PATH.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** A key that only the scripted server accepts; it looks like a real one so the CLI takes it. */
export const FAKE_API_KEY = 'sk-ant-api03-pilot-test-key-000000000000000000000000';

/** The pinned CLI from devDependencies, so tests never pick up another `claude` on PATH. */
export const CLAUDE_BIN = fileURLToPath(new URL('../../../node_modules/.bin/claude', import.meta.url));

export interface ClaudeEnvOptions {
  baseUrl: string;
  /** A fresh directory for this run; HOME, CLAUDE_CONFIG_DIR (`.claude`) and TMPDIR (`tmp`) live in it. */
  home: string;
  apiKey?: string;
}

export function claudeEnv(opts: ClaudeEnvOptions): Record<string, string> {
  const configDir = path.join(opts.home, '.claude');
  const tmpDir = path.join(opts.home, 'tmp');
  mkdirSync(configDir, { recursive: true });
  mkdirSync(tmpDir, { recursive: true, mode: 0o700 });
  return {
    HOME: opts.home,
    CLAUDE_CONFIG_DIR: configDir,
    ANTHROPIC_BASE_URL: opts.baseUrl,
    ANTHROPIC_API_KEY: opts.apiKey ?? FAKE_API_KEY,
    // Skips the `HEAD /api/hello` preflight, telemetry and error reporting.
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_AUTOUPDATER: '1',
    // The CLI otherwise leaves per-project task dirs and probes in the shared /tmp/claude-<uid>/.
    TMPDIR: tmpDir,
    CLAUDE_CODE_TMPDIR: tmpDir,
    PATH: process.env.PATH ?? '/usr/bin:/bin',
  };
}
