// One way to run the small system commands isolation needs (getent, useradd, chown, sudo…): never
// throws for a non-zero exit, so each caller decides what a refusal means for its layer.
import { execFile } from 'node:child_process';

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  uid?: number;
  gid?: number;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export type Runner = (command: string, args: string[], opts?: RunOptions) => Promise<CommandResult>;

export const runCommand: Runner = (command, args, opts = {}) =>
  new Promise((resolve) => {
    execFile(
      command,
      args,
      { ...opts, env: opts.env ?? { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C' }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 127) : 0;
        resolve({
          code,
          stdout: String(stdout),
          stderr: String(stderr || (error && !stderr ? error.message : '')),
        });
      },
    );
  });

/** The last line of a failed command's output, for a one-line reason. */
export function why(result: CommandResult): string {
  const text = (result.stderr || result.stdout).trim().split('\n').at(-1) ?? '';
  return text || `exit ${result.code}`;
}
