// Only the transcript directory (`projects/`) of the agent's config dir is kept between runs: it is
// all `--resume` needs, and nothing else there (settings, credentials, caches) should travel.
import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

export const TRANSCRIPTS = 'projects';

function tar(args: string[], input?: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'tar',
      args,
      { encoding: 'buffer', maxBuffer: 512 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`tar ${args[0]} failed: ${stderr.toString().trim() || error.message}`));
        else resolve(stdout);
      },
    );
    if (input) child.stdin?.end(input);
    else child.stdin?.end();
  });
}

/** A tar of `<configDir>/projects`, or null when the agent wrote no transcript. */
export async function packTranscripts(configDir: string): Promise<Buffer | null> {
  if (!existsSync(path.join(configDir, TRANSCRIPTS))) return null;
  return tar(['-c', '-f', '-', '-C', configDir, TRANSCRIPTS]);
}

/** Unpacks into `<configDir>`; only entries under `projects/` are extracted. */
export async function unpackTranscripts(configDir: string, archive: Buffer): Promise<void> {
  mkdirSync(configDir, { recursive: true });
  await tar(
    ['-x', '-f', '-', '-C', configDir, '--no-same-owner', '--no-same-permissions', TRANSCRIPTS],
    archive,
  );
  giveToOwnerOf(configDir, path.join(configDir, TRANSCRIPTS));
}

/**
 * When the agent runs as its own user, the config dir is that user's and the CLI appends to the
 * restored transcript: files Pilot unpacked as root must change hands (without root they already
 * inherit the directory's default ACL).
 */
function giveToOwnerOf(dir: string, tree: string): void {
  if (process.getuid?.() !== 0) return;
  const { uid, gid } = statSync(dir);
  if (uid === 0) return;
  const walk = (p: string) => {
    chownSync(p, uid, gid);
    if (statSync(p).isDirectory()) for (const entry of readdirSync(p)) walk(path.join(p, entry));
  };
  walk(tree);
}
