// Trackers out against the local Jira and Linear emulators (test/world/trackers/), started on loopback
// and stopped after each test: the comment arrives with the right credential, redacted; a tracker that
// refuses or is down costs a warning, never an exception.
import { afterEach, describe, expect, it } from 'vitest';
import { commentOnTicket, type TrackerConfig } from '../../src/notify/index.js';
import { registerSecret, resetSecrets } from '../../src/security/redact.js';
import { startTrackers, type TrackerServer } from '../world/trackers/index.js';

let server: TrackerServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  resetSecrets();
});

const FAST = { backoffMs: 5, attempts: 3 };

function configFor(url: string, over: Partial<TrackerConfig> = {}): TrackerConfig {
  return {
    jiraUrl: url,
    jiraUser: 'bot@example.com',
    jiraToken: 'jira-secret-token-1',
    linearToken: 'lin_api_secret_2',
    linearApiUrl: `${url}/graphql`,
    ...over,
  };
}

describe('commentOnTicket', () => {
  it('posts a Jira comment with basic auth, retrying a 503, with known secrets redacted', async () => {
    server = await startTrackers({
      jira: { user: 'bot@example.com', token: 'jira-secret-token-1' },
      failFirst: 2,
    });
    registerSecret('ghp_0123456789abcdefghijklmnopqrstuvwxyz');
    const ok = await commentOnTicket(
      configFor(server.url),
      { source: 'jira', key: 'PROJ-1' },
      'PR: https://x/pull/1 ghp_0123456789abcdefghijklmnopqrstuvwxyz',
      FAST,
    );
    expect(ok).toBe(true);
    expect(server.requests).toBe(3);
    expect(server.comments).toHaveLength(1);
    expect(server.comments[0]).toMatchObject({ tracker: 'jira', key: 'PROJ-1' });
    expect(server.comments[0].body).toContain('https://x/pull/1');
    expect(server.comments[0].body).not.toContain('ghp_0123456789abcdefghijklmnopqrstuvwxyz');
  });

  it('posts a Linear commentCreate with the API key in Authorization', async () => {
    server = await startTrackers({ linearToken: 'lin_api_secret_2' });
    const ok = await commentOnTicket(
      configFor(server.url),
      { source: 'linear', key: 'ENG-42' },
      'done',
      FAST,
    );
    expect(ok).toBe(true);
    expect(server.comments).toEqual([
      { tracker: 'linear', key: 'ENG-42', body: 'done', authorization: 'lin_api_secret_2' },
    ]);
  });

  it('counts a Linear 200 that carries GraphQL errors as a failure, without retrying it', async () => {
    server = await startTrackers({ linearToken: 'lin_api_secret_2' });
    const ok = await commentOnTicket(configFor(server.url), { source: 'linear', key: 'ENG-42' }, '', FAST);
    expect(ok).toBe(false);
    expect(server.requests).toBe(1);
    expect(server.comments).toEqual([]);
  });

  it('gives up quietly on a refusal (no retry of a 401) and on a tracker that is down', async () => {
    server = await startTrackers({ jira: { user: 'bot@example.com', token: 'another-token' } });
    const refused = await commentOnTicket(
      configFor(server.url),
      { source: 'jira', key: 'PROJ-1' },
      'x',
      FAST,
    );
    expect(refused).toBe(false);
    expect(server.requests).toBe(1);
    const url = server.url;
    await server.close();
    server = undefined;
    await expect(commentOnTicket(configFor(url), { source: 'jira', key: 'PROJ-1' }, 'x', FAST)).resolves.toBe(
      false,
    );
  });

  it('sends nothing when the ticket’s tracker is not configured', async () => {
    server = await startTrackers();
    const none = configFor(server.url, { jiraUrl: undefined, linearToken: undefined });
    expect(await commentOnTicket(none, { source: 'jira', key: 'PROJ-1' }, 'x', FAST)).toBe(false);
    expect(await commentOnTicket(none, { source: 'linear', key: 'ENG-1' }, 'x', FAST)).toBe(false);
    expect(await commentOnTicket(configFor(server.url), { source: 'other', key: 'T-1' }, 'x', FAST)).toBe(
      false,
    );
    expect(server.requests).toBe(0);
  });
});
