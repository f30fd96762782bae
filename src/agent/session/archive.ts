// Only the transcript directory (`projects/`) of the agent's config dir is kept between runs: it is
// all `--resume` needs, and nothing else there (settings, credentials, caches) should travel.
//
// The directory is the agent's: it can plant symbolic links, hard links or FIFOs there. Pilot often
// runs as root, and root following a link the agent planted would read or chown anything on the
// runner (`projects/x -> /etc`). So tar runs as the directory's owner in both directions (it can read
// and write only what the agent could), only regular files and directories are archived, and an
// archive holding anything else is refused before a single entry is extracted.
import { execFile } from 'node:child_process';
import { lstatSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { refusalOf, tarEntries } from './tar-entries.js';

export const TRANSCRIPTS = 'projects';

interface Owner {
  uid: number;
  gid: number;
}

/** When Pilot is root and the config dir belongs to the agent's user: that user. */
function agentOwner(configDir: string): Owner | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const stat = lstatSync(configDir);
  if (!stat.isDirectory()) throw new Error(`${configDir} is not a directory`);
  return stat.uid === 0 ? undefined : { uid: stat.uid, gid: stat.gid };
}

function tar(args: string[], opts: { cwd: string; as?: Owner; input?: Buffer }): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'tar',
      args,
      { cwd: opts.cwd, encoding: 'buffer', maxBuffer: 512 * 1024 * 1024, ...opts.as },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`tar ${args[0]} failed: ${stderr.toString().trim() || error.message}`));
        else resolve(stdout);
      },
    );
    child.stdin?.end(opts.input);
  });
}

export interface Packed {
  archive: Buffer;
  /** Entries left out: anything that is not a regular file or a directory, with what it was. */
  skipped: string[];
}

/** Regular files and directories below `projects/`, found with lstat (links are never followed). */
function walk(configDir: string): { keep: string[]; skipped: string[] } {
  const keep: string[] = [];
  const skipped: string[] = [];
  const visit = (rel: string) => {
    const stat = lstatSync(path.join(configDir, rel));
    if (stat.isDirectory()) {
      keep.push(rel);
      for (const name of readdirSync(path.join(configDir, rel)).sort()) visit(path.join(rel, name));
    } else if (stat.isFile() && stat.nlink === 1) keep.push(rel);
    else
      skipped.push(
        `\`${rel}\` (${stat.isSymbolicLink() ? 'a symbolic link' : stat.isFile() ? 'a hard link' : 'not a regular file'})`,
      );
  };
  visit(TRANSCRIPTS);
  return { keep, skipped };
}

/** A tar of `<configDir>/projects`, or null when the agent wrote no transcript. */
export async function packTranscripts(configDir: string): Promise<Packed | null> {
  try {
    if (!lstatSync(path.join(configDir, TRANSCRIPTS)).isDirectory()) return null;
  } catch {
    return null;
  }
  const { keep, skipped } = walk(configDir);
  // The list is exact (`--no-recursion`); tar never dereferences (no `-h`), and a path swapped for a
  // link since the walk is archived as a link, which the restore then refuses.
  const list = Buffer.from(`${keep.join('\0')}\0`);
  const args = ['-c', '-f', '-', '--no-recursion', '--null', '-T', '-'];
  const archive = await tar(args, { cwd: configDir, as: agentOwner(configDir), input: list });
  return { archive, skipped };
}

/** Throws, naming the entries, when the archive holds anything but files and directories under `projects/`. */
export function checkArchive(archive: Buffer): void {
  const refused = tarEntries(archive)
    .map((entry) => refusalOf(entry, TRANSCRIPTS))
    .filter((why): why is string => why !== null);
  if (refused.length)
    throw new Error(
      `it holds entries Pilot never restores: ${refused.slice(0, 5).join('; ')}${refused.length > 5 ? ` and ${refused.length - 5} more` : ''}`,
    );
}

/**
 * Unpacks into `<configDir>` after checking every entry; as the config dir's owner when Pilot is
 * root, so the files are the agent's without a chown and no link can lead tar outside.
 */
export async function unpackTranscripts(configDir: string, archive: Buffer): Promise<void> {
  checkArchive(archive);
  mkdirSync(configDir, { recursive: true });
  const args = [
    '-x',
    '-f',
    '-',
    '--no-same-owner',
    '--no-same-permissions',
    '--no-overwrite-dir',
    TRANSCRIPTS,
  ];
  await tar(args, { cwd: configDir, as: agentOwner(configDir), input: archive });
}
