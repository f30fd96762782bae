// The transcript archive with real tar and a real file system: what the agent plants in its config dir
// (symbolic links, hard links, FIFOs) is never saved, and an archive holding one is refused before
// anything is extracted, so Pilot (often root) never reads or chowns through the agent's links.
import { execFileSync } from 'node:child_process';
import {
  chownSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { packTranscripts, unpackTranscripts } from '../../src/agent/session/archive.js';
import { tarEntries } from '../../src/agent/session/tar-entries.js';

const AGENT_UID = 65534; // nobody: any uid other than Pilot's
const root = process.getuid?.() === 0;
let dir: string;
let sentinel: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'pilot-archive-'));
  sentinel = path.join(dir, 'sentinel');
  writeFileSync(sentinel, 'untouched\n', { mode: 0o600 });
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** An agent-owned config dir with one transcript, like the one the CLI leaves. */
function configDir(name: string): string {
  const config = path.join(dir, name);
  mkdirSync(path.join(config, 'projects', '-work-repo'), { recursive: true });
  writeFileSync(path.join(config, 'projects', '-work-repo', 's.jsonl'), '{"type":"user"}\n');
  if (root) execFileSync('chown', ['-R', `${AGENT_UID}:${AGENT_UID}`, config]);
  return config;
}

/** A tar made by hand (as an attacker with the key would): projects/ plus whatever `plant` adds. */
function craftedArchive(plant: (projects: string) => void): Buffer {
  const src = path.join(dir, 'crafted');
  mkdirSync(path.join(src, 'projects'), { recursive: true });
  writeFileSync(path.join(src, 'projects', 'ok.jsonl'), '{}\n');
  plant(path.join(src, 'projects'));
  return execFileSync('tar', ['-c', '-f', '-', '-C', src, 'projects']);
}

describe('saving transcripts', () => {
  it('leaves out symbolic and hard links the agent planted, and names them', async () => {
    const config = configDir('save');
    const projects = path.join(config, 'projects', '-work-repo');
    symlinkSync(sentinel, path.join(projects, 'x.jsonl'));
    symlinkSync('/etc', path.join(projects, 'etc'));
    const packed = await packTranscripts(config);
    const names = tarEntries(packed?.archive ?? Buffer.alloc(0)).map((e) => e.name);
    expect(names).toContain('projects/-work-repo/s.jsonl');
    expect(names.some((n) => n.includes('x.jsonl') || n.includes('etc'))).toBe(false);
    expect(packed?.skipped).toEqual([
      '`projects/-work-repo/etc` (a symbolic link)',
      '`projects/-work-repo/x.jsonl` (a symbolic link)',
    ]);
    expect(packed?.archive.includes(Buffer.from('untouched'))).toBe(false);
  });

  it('leaves out a hard link to a file outside (its content would travel in the archive)', async () => {
    const config = configDir('hard');
    const inside = path.join(config, 'projects', '-work-repo', 'h.jsonl');
    linkSync(sentinel, inside);
    const packed = await packTranscripts(config);
    expect(packed?.skipped).toEqual(['`projects/-work-repo/h.jsonl` (a hard link)']);
    expect(packed?.archive.includes(Buffer.from('untouched'))).toBe(false);
  });
});

describe('restoring transcripts', () => {
  it.each([
    ['a symbolic link to a file outside', (p: string, s: string) => symlinkSync(s, path.join(p, 'x'))],
    [
      'a symbolic link to a directory outside',
      (p: string, s: string) => symlinkSync(path.dirname(s), path.join(p, 'd')),
    ],
    ['a hard link', (p: string) => linkSync(path.join(p, 'ok.jsonl'), path.join(p, 'h'))],
    ['a FIFO', (p: string) => execFileSync('mkfifo', [path.join(p, 'f')])],
  ])('refuses an archive holding %s before extracting anything', async (_what, plant) => {
    const archive = craftedArchive((p) => plant(p, sentinel));
    const config = configDir('restore');
    rmSync(path.join(config, 'projects'), { recursive: true });
    await expect(unpackTranscripts(config, archive)).rejects.toThrow(
      /entries Pilot never restores: `projects\//,
    );
    expect(() => statSync(path.join(config, 'projects'))).toThrow(/ENOENT/);
    expect(readFileSync(sentinel, 'utf8')).toBe('untouched\n');
    expect(statSync(sentinel).uid).toBe(process.getuid?.());
  });

  it('refuses entries outside projects/', async () => {
    const src = path.join(dir, 'outside');
    mkdirSync(path.join(src, 'projects'), { recursive: true });
    writeFileSync(path.join(src, 'settings.json'), '{}');
    const archive = execFileSync('tar', ['-c', '-f', '-', '-C', src, 'projects', 'settings.json']);
    await expect(unpackTranscripts(configDir('o'), archive)).rejects.toThrow(
      /`settings.json` is outside projects\//,
    );
  });

  it.runIf(root)(
    "extracts as the config dir's owner: restored files are the agent's, nothing else changes hands",
    async () => {
      const long = `-${'w'.repeat(150)}`; // a GNU long-name entry
      const src = configDir('src');
      mkdirSync(path.join(src, 'projects', long));
      writeFileSync(path.join(src, 'projects', long, 'l.jsonl'), '{}\n');
      execFileSync('chown', ['-R', `${AGENT_UID}:${AGENT_UID}`, src]);
      const packed = await packTranscripts(src);
      const config = configDir('dst');
      rmSync(path.join(config, 'projects'), { recursive: true });
      await unpackTranscripts(config, packed?.archive as Buffer);
      const restored = path.join(config, 'projects', long, 'l.jsonl');
      expect(readFileSync(restored, 'utf8')).toBe('{}\n');
      expect(statSync(restored).uid).toBe(AGENT_UID);
      expect(statSync(path.join(config, 'projects', '-work-repo', 's.jsonl')).uid).toBe(AGENT_UID);
      expect(statSync(sentinel).uid).toBe(0);
    },
  );

  it.runIf(root)('writes nothing through a projects/ the agent swapped for a link', async () => {
    const config = configDir('swap');
    const archive = (await packTranscripts(config))?.archive as Buffer;
    const target = path.join(dir, 'elsewhere');
    mkdirSync(target);
    chownSync(target, 0, 0);
    rmSync(path.join(config, 'projects'), { recursive: true });
    symlinkSync(target, path.join(config, 'projects'));
    await unpackTranscripts(config, archive).catch(() => undefined);
    expect(() => statSync(path.join(target, '-work-repo'))).toThrow(/ENOENT/);
    expect(statSync(target).uid).toBe(0);
  });
});
