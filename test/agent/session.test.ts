// Sessions across runs: the real claude CLI against the scripted model, a map standing in for the
// Actions cache (the e2e tests use the real @actions/cache against the cache emulator).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type AgentRequest, runClaude } from '../../src/agent/claude.js';
import { decrypt, encrypt, sessionKey } from '../../src/agent/session/crypto.js';
import {
  bodyHashOf,
  type CacheApi,
  openSession,
  type SessionOptions,
  saveSession,
  sessionFields,
} from '../../src/agent/session/index.js';
import { newTask, type TaskDoc } from '../../src/state/task.js';
import {
  CLAUDE_BIN,
  claudeEnv,
  FAKE_API_KEY,
  type ModelServer,
  say,
  startModel,
  write,
} from '../world/model/index.js';

let model: ModelServer | undefined;
let dir: string | undefined;
afterEach(async () => {
  await model?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  model = undefined;
  dir = undefined;
});

/** A cache keyed like the Actions cache: exact key, then newest entry with the prefix. */
function mapCache(mode = 'write'): CacheApi & { entries: Map<string, Buffer> } {
  const entries = new Map<string, Buffer>();
  return {
    entries,
    mode: () => mode,
    available: () => true,
    async save([file], key) {
      if (mode === 'read' || entries.has(key)) return -1;
      entries.set(key, readFileSync(file));
      return entries.size;
    },
    async restore([file], primary, restoreKeys) {
      for (const wanted of [primary, ...restoreKeys]) {
        const hit = entries.get(wanted)
          ? wanted
          : [...entries.keys()].reverse().find((k) => k.startsWith(wanted));
        if (hit) {
          writeFileSync(file, entries.get(hit) as Buffer);
          return hit;
        }
      }
      return undefined;
    },
  };
}

async function setup(script: Parameters<typeof startModel>[0]) {
  model = await startModel(script);
  dir = mkdtempSync(path.join(tmpdir(), 'pilot-session-'));
  const cwd = path.join(dir, 'repo');
  execFileSync('git', ['init', '-q', cwd]);
  const home = path.join(dir, 'home');
  const env = claudeEnv({ baseUrl: model.url, home });
  const cache = mapCache();
  const options = (o: Partial<SessionOptions>): SessionOptions => ({
    configDir: env.CLAUDE_CONFIG_DIR,
    runId: 1,
    attempt: 1,
    workDir: path.join(dir as string, 'pilot'),
    issue: 7,
    command: 'run',
    issueBody: 'Add a farewell helper.',
    prior: null,
    credential: FAKE_API_KEY,
    repositoryId: '4242',
    cache,
    ...o,
  });
  const agent = (extra: Partial<AgentRequest>) =>
    runClaude({
      claudePath: CLAUDE_BIN,
      cwd,
      prompt: 'Do the task.',
      systemPrompt: 'You are Pilot.',
      env,
      maxTurns: 10,
      allowedTools: ['Read', 'Write'],
      deadline: Date.now() + 60_000,
      ...extra,
    });
  return { cache, options, agent };
}

async function runOnce(
  s: Awaited<ReturnType<typeof setup>>,
  command: string,
  prior: TaskDoc | null,
  body?: string,
) {
  const session = await openSession(s.options({ command, prior, ...(body && { issueBody: body }) }));
  const agent = await s.agent({
    prompt: `${session.preface}\n\nDo the task.`,
    sessionId: session.resumed ? undefined : session.sessionId,
    resumeSessionId: session.resumed ? session.sessionId : undefined,
    priorSessionCostUsd: session.priorCostUsd,
  });
  const saved = await saveSession(session, { runId: 100 + (prior?.attempts ?? 0), attempt: 1 });
  const task: TaskDoc = {
    ...(prior ?? newTask()),
    status: agent.ok ? 'pr_open' : 'failed',
    attempts: (prior?.attempts ?? 0) + 1,
    ...sessionFields(session, agent, saved),
  };
  return { session, agent, saved, task };
}

describe('a follow-up resumes the earlier session', () => {
  it('sends run 1 turns with run 2 first request, keeps the session id and counts only the new cost', async () => {
    const s = await setup([write('notes.txt', 'first run was here\n'), say('Wrote notes.'), say('Resumed.')]);
    const one = await runOnce(s, 'run', null);
    expect(one.agent.ok).toBe(true);
    expect(one.saved.hash).toMatch(/^[0-9a-f]{64}$/);
    expect([...s.cache.entries.keys()]).toEqual(['pilot-v1-session-7-100-1']);

    const two = await runOnce(s, 'retry', one.task);
    expect(two.session.resumed).toBe(true);
    expect(two.agent.sessionId).toBe(one.agent.sessionId);
    const firstOfRun2 = model?.agentRequests()[2];
    expect(JSON.stringify(firstOfRun2?.body.messages)).toContain('first run was here');
    expect(JSON.stringify(firstOfRun2?.body.messages)).toContain('continuing your earlier session');
    expect(two.agent.costUsd).toBeCloseTo(two.agent.sessionCostUsd - one.agent.sessionCostUsd, 10);
    expect(two.agent.costUsd).toBeLessThan(two.agent.sessionCostUsd);
  });

  it('starts fresh when the issue body was edited, and says so', async () => {
    const s = await setup([say('One.'), say('Two.')]);
    const one = await runOnce(s, 'run', null);
    const two = await runOnce(s, 'retry', one.task, 'A different request altogether.');
    expect(two.session.resumed).toBe(false);
    expect(two.agent.sessionId).not.toBe(one.agent.sessionId);
    expect(two.session.notes.join(' ')).toContain('issue description was edited');
    expect(JSON.stringify(model?.agentRequests()[1].body.messages)).not.toContain('One.');
  });

  it('starts fresh with a summary of prior runs when the cached archive does not match the marker', async () => {
    const s = await setup([say('One.'), say('Two.')]);
    const one = await runOnce(s, 'run', null);
    const [key] = s.cache.entries.keys();
    const tampered = Buffer.from(s.cache.entries.get(key) as Buffer);
    tampered[tampered.length - 1] ^= 1;
    s.cache.entries.set(key, tampered);
    const two = await runOnce(s, 'retry', {
      ...one.task,
      runs: [{ id: 100, kind: 'work', at: '2026-11-01T00:00:00Z' }],
    });
    expect(two.session.resumed).toBe(false);
    expect(two.session.notes.join(' ')).toContain('does not match');
    expect(two.session.preface).toContain('run 100');
    expect(two.agent.ok).toBe(true);
  });

  it('starts fresh when the session is gone from the cache', async () => {
    const s = await setup([say('One.'), say('Two.')]);
    const one = await runOnce(s, 'run', null);
    s.cache.entries.clear();
    const two = await runOnce(s, 'fix', one.task);
    expect(two.session.resumed).toBe(false);
    expect(two.session.notes.join(' ')).toContain('no longer in the cache');
  });

  it('`/pilot run` always starts a fresh session', async () => {
    const s = await setup([say('One.'), say('Two.')]);
    const one = await runOnce(s, 'run', null);
    const two = await runOnce(s, 'run', one.task);
    expect(two.session.resumed).toBe(false);
    expect(two.session.notes).toEqual([]);
    expect(two.agent.sessionId).not.toBe(one.agent.sessionId);
  });
});

describe('saving', () => {
  it('does not claim a save with a read-only cache token, and says so', async () => {
    const s = await setup([say('One.')]);
    const session = await openSession(s.options({ cache: mapCache('read') }));
    await s.agent({ sessionId: session.sessionId });
    const saved = await saveSession(session, { runId: 1, attempt: 1 });
    expect(saved.hash).toBeUndefined();
    expect(saved.note).toContain('read-only');
    expect(sessionFields(session, { sessionCostUsd: 0 }, saved).sessionHash).toBeUndefined();
  });

  it('archives only projects/, encrypted: no transcript text and no other config file in the cache entry', async () => {
    const s = await setup([write('secret-plan.txt', 'the plan\n'), say('Done.')]);
    const one = await runOnce(s, 'run', null);
    const sealed = [...s.cache.entries.values()][0];
    expect(sealed.includes(Buffer.from('the plan'))).toBe(false);
    const plain = decrypt(sealed, sessionKey(FAKE_API_KEY, '4242'));
    const tarList = execFileSync('tar', ['-t', '-f', '-'], { input: plain }).toString().trim().split('\n');
    expect(tarList.every((entry) => entry.startsWith('projects/'))).toBe(true);
    expect(tarList.some((entry) => entry.endsWith(`${one.agent.sessionId}.jsonl`))).toBe(true);
  });

  it('cannot be opened with another repository id or credential', () => {
    const sealed = encrypt(Buffer.from('transcript'), sessionKey(FAKE_API_KEY, '1'));
    expect(() => decrypt(sealed, sessionKey(FAKE_API_KEY, '2'))).toThrow();
    expect(() => decrypt(sealed, sessionKey('another-key', '1'))).toThrow();
    expect(decrypt(sealed, sessionKey(FAKE_API_KEY, '1')).toString()).toBe('transcript');
  });
});

it('hashes the issue body ignoring line-ending differences', () => {
  expect(bodyHashOf('a\r\nb\n')).toBe(bodyHashOf('a\nb'));
  expect(bodyHashOf('a')).not.toBe(bodyHashOf('b'));
});
