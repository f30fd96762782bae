// openPath opens the way to the workspace for the agent's user; the undo must not close directories
// that other jobs on the same machine may be walking through at that moment.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultProbe } from '../../src/agent/isolation/user.js';
import { openPath } from '../../src/agent/isolation/workspace.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const mode = (p: string) => statSync(p).mode & 0o777;
const stranger = { name: 'nobody-here', uid: 4242, gid: 4242, home: '/nonexistent', via: 'setuid' as const };

describe('openPath', () => {
  it('lets the agent search down to the target and takes the bit back on the target only', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'pilot-open-'));
    dirs.push(root);
    const shared = path.join(root, 'runners');
    const target = path.join(shared, 'job-1', 'work');
    mkdirSync(target, { recursive: true });
    for (const d of [root, shared, path.join(shared, 'job-1'), target]) chmodSync(d, 0o700);

    const undo = await openPath(target, stranger, { probe: defaultProbe(), privilege: 'none', acl: false });
    for (const d of [root, shared, path.join(shared, 'job-1'), target])
      expect(mode(d) & 0o001, d).toBe(0o001);

    await undo();
    expect(mode(target)).toBe(0o700);
    // A parallel job's agent may still be walking through the shared parents.
    expect(mode(shared) & 0o001).toBe(0o001);
    expect(mode(root) & 0o001).toBe(0o001);
    // Search without read: nobody can list them.
    expect(mode(shared) & 0o004).toBe(0);
  });
});
