// The agent plants a symbolic link in its own transcript directory, pointing at a file only root
// owns. Saving and restoring that session (run 1, then `/pilot retry`) must never read, chown or
// write through the link: Pilot restores as root, and `chown` follows links.
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { OWNER, REPO, startWorld, type World } from '../world/index.js';
import { bash, type RecordedRequest, say, toolResults, write } from '../world/model/index.js';

const isRoot = process.geteuid?.() === 0;
let world: World | undefined;
let sentinelDir: string | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
  if (sentinelDir) rmSync(sentinelDir, { recursive: true, force: true });
});

/** The transcript directory of the one agent run in progress (`_pilot_agent/run-…/home/.claude/projects/<cwd>`). */
function transcriptDir(base: string): string {
  const found = readdirSync(base)
    .filter((run) => run.startsWith('run-'))
    .flatMap((run) => {
      const projects = path.join(base, run, 'home', '.claude', 'projects');
      return existsSync(projects) ? readdirSync(projects).map((p) => path.join(projects, p)) : [];
    });
  if (found.length !== 1) throw new Error(`expected one transcript directory, found ${found.length}`);
  return found[0];
}

const tracking = (w: World, issue: number) =>
  w.pilotComments(issue).find((c) => c.body.includes('pilot:task'))?.body ?? '';

describe('session restore and links', () => {
  it.skipIf(!isRoot)(
    'a symlink the agent plants in its transcripts is left out of the save, and the restore changes nothing it points at',
    async () => {
      sentinelDir = mkdtempSync(path.join(tmpdir(), 'pilot-sentinel-'));
      const sentinel = path.join(sentinelDir, 'root-only');
      writeFileSync(sentinel, 'root secret\n', { mode: 0o600 });
      let agentBase = '';
      world = await startWorld({
        script: [
          write('src/farewell.js', 'export const farewell = () => "bye";\n'),
          // The agent names its own transcript directory (the CLI's permission check refuses
          // unexpanded variables, so the path is spelled out). The Bash sandbox refuses this write...
          () => bash(`ln -s ${sentinel} ${path.join(transcriptDir(agentBase), 'planted.jsonl')}`),
          // ...but a process outside the sandbox (a daemon a test helper left, or a runner where the
          // sandbox cannot be set up) would not ask: it plants the link here.
          () => {
            symlinkSync(sentinel, path.join(transcriptDir(agentBase), 'planted.jsonl'));
            return say('Added src/farewell.js.');
          },
          say('Checked again: all good.'),
        ],
        inputs: { 'allowed-bash': 'ln -s' },
      });
      const w = world;
      agentBase = path.join(path.dirname(w.git.runnerTemp), '_pilot_agent');
      w.gh.setPermission(OWNER, REPO, 'mona', 'write');
      const issue = w.gh.addIssue(OWNER, REPO, {
        title: 'Add a farewell helper',
        body: 'Please.',
        user: 'mona',
      });

      const first = (await w.run('issues', w.labelEvent(issue, 'pilot', 'mona'))).at(-1);
      expect(first?.exitCode, first?.log).toBe(0);
      // The sandbox is the first fence: the agent's own `ln -s` failed.
      const tried = toolResults(w.model.agentRequests().at(-1) as RecordedRequest).find(
        (r) => r.name === 'Bash',
      );
      expect(tried?.content).toMatch(/Read-only file system/);
      expect(tracking(w, issue)).toMatch(
        /Left out of the saved agent session: `projects\/[^`]+\/planted\.jsonl` \(a symbolic link\)/,
      );

      const second = (await w.run('issue_comment', w.commentEvent(issue, '/pilot retry', 'mona'))).at(-1);
      expect(second?.exitCode, second?.log).toBe(0);
      expect(tracking(w, issue)).toContain('Resumed the agent session');

      const after = statSync(sentinel);
      expect(after.uid).toBe(0);
      expect(after.gid).toBe(0);
      expect(after.mode & 0o777).toBe(0o600);
      expect(readFileSync(sentinel, 'utf8')).toBe('root secret\n');
    },
  );
});
