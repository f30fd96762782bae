// Reads the entry list of a ustar/GNU/pax tar archive without extracting anything, so a restore can
// refuse an archive before a single file is written. Only the header fields Pilot judges are read:
// the name (with GNU long names and pax `path` records) and the type.

export interface TarEntry {
  name: string;
  /** The header's typeflag: `0` regular file, `5` directory, `2` symlink, `1` hard link, … */
  type: string;
}

const BLOCK = 512;

function text(block: Buffer, offset: number, length: number): string {
  const raw = block.subarray(offset, offset + length);
  const end = raw.indexOf(0);
  return raw.subarray(0, end < 0 ? raw.length : end).toString('utf8');
}

function sizeOf(header: Buffer): number {
  const field = header.subarray(124, 136);
  // GNU base-256 for sizes over 8 GiB: the first byte has its high bit set.
  if (field[0] & 0x80) throw new Error('tar entry larger than Pilot accepts');
  const size = Number.parseInt(text(header, 124, 12).trim() || '0', 8);
  if (!Number.isFinite(size) || size < 0) throw new Error('tar header with an unreadable size');
  return size;
}

/** `path=` from a pax extended header's records (`<len> key=value\n`). */
function paxPath(data: Buffer): string | undefined {
  let found: string | undefined;
  for (const record of data.toString('utf8').split('\n')) {
    const m = /^\d+ path=(.*)$/s.exec(record);
    if (m) found = m[1];
  }
  return found;
}

/** Every entry of the archive, in order; metadata headers (long names, pax) are folded in. */
export function tarEntries(archive: Buffer): TarEntry[] {
  const entries: TarEntry[] = [];
  let nextName: string | undefined;
  for (let at = 0; at + BLOCK <= archive.length; ) {
    const header = archive.subarray(at, at + BLOCK);
    if (header.every((b) => b === 0)) break; // end of archive
    const size = sizeOf(header);
    const type = String.fromCharCode(header[156] || 0x30);
    const data = archive.subarray(at + BLOCK, at + BLOCK + size);
    at += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
    if (type === 'L') nextName = text(data, 0, data.length);
    else if (type === 'x') nextName = paxPath(data) ?? nextName;
    else if (type !== 'g') {
      const prefix = text(header, 345, 155);
      const name = nextName ?? (prefix ? `${prefix}/${text(header, 0, 100)}` : text(header, 0, 100));
      entries.push({ name, type: type === '\0' ? '0' : type });
      nextName = undefined;
    }
  }
  return entries;
}

const KINDS: Record<string, string> = {
  '1': 'a hard link',
  '2': 'a symbolic link',
  '3': 'a character device',
  '4': 'a block device',
  '6': 'a FIFO',
  '7': 'a contiguous file',
  K: 'a long link name',
};

/**
 * Why an entry may not be restored, or null when it may: only regular files and directories, and
 * only below `root/`, with no `..` and no absolute path.
 */
export function refusalOf(entry: TarEntry, root: string): string | null {
  if (entry.type !== '0' && entry.type !== '5')
    return `\`${entry.name}\` is ${KINDS[entry.type] ?? `of tar type ${JSON.stringify(entry.type)}`}`;
  const parts = entry.name.replace(/\/+$/, '').split('/');
  if (entry.name.startsWith('/') || parts.includes('..') || parts[0] !== root)
    return `\`${entry.name}\` is outside ${root}/`;
  return null;
}
