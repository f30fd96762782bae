// A small git runner. The token never lives in a config file: it is handed to one child process
// through environment-scoped config (GIT_CONFIG_COUNT/KEY/VALUE), which git reads and forgets.
import { spawn } from 'node:child_process';

export interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
}

export class GitError extends Error {
  constructor(
    readonly args: string[],
    readonly result: GitResult,
  ) {
    super(
      `git ${args[0]} failed (exit ${result.code}): ${result.stderr.trim().split('\n').slice(-3).join(' | ')}`,
    );
  }
}

export interface Git {
  readonly cwd: string;
  run(args: string[], opts?: { env?: Record<string, string>; allowFail?: boolean }): Promise<GitResult>;
}

export function createGit(cwd: string, baseEnv: NodeJS.ProcessEnv = process.env): Git {
  return {
    cwd,
    run(args, opts = {}) {
      return new Promise((resolve, reject) => {
        const child = spawn('git', args, {
          cwd,
          env: { ...baseEnv, GIT_TERMINAL_PROMPT: '0', ...opts.env },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d) => {
          stdout += d;
        });
        child.stderr.on('data', (d) => {
          stderr += d;
        });
        child.on('error', reject);
        child.on('close', (code) => {
          const result = { code: code ?? 1, stdout, stderr };
          if (result.code !== 0 && !opts.allowFail) reject(new GitError(args, result));
          else resolve(result);
        });
      });
    },
  };
}

/** Environment that gives exactly one git child the token, as checkout's extraheader would. */
export function tokenEnv(token: string, serverUrl: string): Record<string, string> {
  const basic = Buffer.from(`x-access-token:${token}`).toString('base64');
  return {
    GIT_CONFIG_COUNT: '1',
    GIT_CONFIG_KEY_0: `http.${serverUrl.replace(/\/$/, '')}/.extraheader`,
    GIT_CONFIG_VALUE_0: `AUTHORIZATION: basic ${basic}`,
  };
}
