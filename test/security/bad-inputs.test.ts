// The in-process bad-input suite: real webhooks-examples payloads, mutated the ways an attacker (or a
// confused integration) would, run through decide() → authorize() with an in-memory PermissionLookup.
// Invariants: nothing throws; no unauthorized sender is ever allowed; every refusal and ignore says why.
import { afterAll, describe, expect, it } from 'vitest';
import { type AuthPolicy, authorize, type UserPermissions } from '../../src/auth/authorize.js';
import { decide } from '../../src/events/decide.js';
import { DISPATCH_ARGS_MAX, toDispatchPayload } from '../../src/events/dispatch.js';
import type { Actor, EventDecision, WorkIntent } from '../../src/events/intent.js';
import { clone, loadExamples, type Payload } from '../events/webhook-examples.js';

const OPTS = { triggerLabel: 'pilot', botLogin: 'github-actions[bot]' };
const POLICY: AuthPolicy = {
  minPermission: 'write',
  allowUsers: [],
  denyUsers: ['denied-dan'],
  allowBots: ['renovate[bot]'],
};

// ---- Who exists, and who may start Pilot (the oracle, written out independently of authorize) -----

const NONE: UserPermissions = { admin: false, maintain: false, push: false, triage: false, pull: false };
const READ = { ...NONE, pull: true };
const TRIAGE = { ...READ, triage: true };
const WRITE = { ...TRIAGE, push: true };
const ADMIN = { ...WRITE, maintain: true, admin: true };

const PERMISSIONS: Record<string, UserPermissions> = {
  'admin-ada': ADMIN,
  'maint-alice': WRITE,
  'reader-rob': READ,
  'triage-tia': TRIAGE,
  'denied-dan': ADMIN,
  codertocat: READ,
  'pilot-bot': NONE,
  // A bot with write access that is not listed must still be refused.
  'dependabot[bot]': WRITE,
  'renovate[bot]': NONE,
};

/** Users with write access, not denied. */
const WRITERS = new Set(['admin-ada', 'maint-alice']);

function shouldBeAllowed(actor: Actor): boolean {
  const login = actor.login.toLowerCase();
  if (actor.type === 'Bot') return login === 'renovate[bot]';
  return WRITERS.has(login);
}

const lookup = async (login: string) => PERMISSIONS[login.toLowerCase()] ?? null;

const ACTORS: Actor[] = [
  { login: 'admin-ada', id: 1, type: 'User' },
  { login: 'Maint-Alice', id: 2, type: 'User' },
  { login: 'reader-rob', id: 3, type: 'User' },
  { login: 'triage-tia', id: 4, type: 'User' },
  { login: 'stranger', id: 5, type: 'User' },
  { login: 'denied-dan', id: 6, type: 'User' },
  { login: 'pilot-bot', id: 7, type: 'User' },
  { login: 'evil[bot]', id: 8, type: 'User' },
  { login: 'renovate[bot]', id: 9, type: 'User' },
  { login: 'renovate[bot]', id: 10, type: 'Bot' },
  { login: 'renovate[bot]x', id: 11, type: 'Bot' },
  { login: 'dependabot[bot]', id: 12, type: 'Bot' },
  { login: 'admin-ada', id: 13, type: 'Bot' },
  { login: 'admin-ada', id: 14, type: 'Organization' },
];

// ---- Case generation ---------------------------------------------------------------------------------

interface Case {
  name: string;
  event: string;
  payload: unknown;
  repository: string;
  runAttempt?: number;
  /** When set, the decision must be an ignore (hidden commands, fork heads, forged dispatches…). */
  mustIgnore?: boolean;
}

const EXAMPLES = loadExamples();
const byEvent = (event: string) => EXAMPLES.filter((e) => e.event === event).map((e) => clone(e.payload));
const repoOf = (p: Payload) => p.repository?.full_name ?? 'Codertocat/Hello-World';

/** Real payloads rewritten into each kind of trigger Pilot acts on. */
function triggers(): Array<{ event: string; payload: Payload }> {
  const out: Array<{ event: string; payload: Payload }> = [];
  for (const p of byEvent('issues').filter((p) => p.label))
    out.push({ event: 'issues', payload: { ...p, action: 'labeled', label: { ...p.label, name: 'pilot' } } });
  for (const p of byEvent('issue_comment')) {
    out.push({
      event: 'issue_comment',
      payload: { ...p, action: 'created', comment: { ...p.comment, body: '/pilot run' } },
    });
  }
  for (const p of byEvent('pull_request_review')) {
    const head = {
      ...p.pull_request.head,
      ref: 'pilot/issue-3-x',
      repo: { ...p.pull_request.head.repo, full_name: repoOf(p) },
    };
    out.push({
      event: 'pull_request_review',
      payload: {
        ...p,
        action: 'submitted',
        review: { ...p.review, state: 'changes_requested' },
        pull_request: { ...p.pull_request, head },
      },
    });
  }
  for (const p of byEvent('workflow_run')) {
    const run = {
      ...p.workflow_run,
      action: 'completed',
      conclusion: 'failure',
      head_branch: 'pilot/issue-4-y',
      head_repository: { full_name: repoOf(p) },
    };
    out.push({ event: 'workflow_run', payload: { ...p, action: 'completed', workflow_run: run } });
  }
  for (const p of byEvent('workflow_dispatch'))
    out.push({ event: 'workflow_dispatch', payload: { ...p, inputs: { issue: '5' } } });
  return out;
}

function withSender(p: Payload, actor: Actor): Payload {
  const copy = clone(p);
  copy.sender = { ...copy.sender, ...actor };
  if (copy.comment) copy.comment.user = { ...copy.comment.user, ...actor };
  return copy;
}

function senderCases(): Case[] {
  return triggers().flatMap(({ event, payload }) =>
    ACTORS.map((actor) => ({
      name: `${event} by ${actor.login} (${actor.type})`,
      event,
      payload: withSender(payload, actor),
      repository: repoOf(payload),
    })),
  );
}

/** The issue's author is an admin, the one who labeled is not: the sender must be what counts. */
function authorIsNotSenderCases(): Case[] {
  return triggers()
    .filter((t) => t.event === 'issues')
    .map(({ payload }) => {
      const p = withSender(payload, { login: 'stranger', id: 5, type: 'User' });
      p.issue.user = { ...p.issue.user, login: 'admin-ada', type: 'User' };
      return {
        name: 'labeled by a stranger on an admin’s issue',
        event: 'issues',
        payload: p,
        repository: repoOf(p),
      };
    });
}

const HIDDEN_BODIES: Array<[string, string]> = [
  ['a quoted command', '> /pilot run'],
  ['a command in a code fence', '```\n/pilot run\n```'],
  ['a command in inline code', '`/pilot run`'],
  ['a command in an HTML comment', '<!-- /pilot run -->'],
  ['a command in a hidden HTML comment after text', 'nice work <!--\n/pilot run\n-->'],
  ['a command on the second line', 'LGTM\n/pilot run'],
  ['a zero-width space before /pilot', '\u200b/pilot run'],
  ['a zero-width joiner before /pilot', '\u200d/pilot run'],
  ['a BOM before /pilot', '\ufeff/pilot run'],
  ['a bidi override before /pilot', '\u202e/pilot run'],
  ['a bidi isolate before /pilot', '\u2066/pilot run\u2069'],
  ['a zero-width space inside the prefix', '/pi\u200blot run'],
  ['a zero-width char glued after /pilot', '/pilot\u200b run'],
  ['a look-alike slash', '\u2215pilot run'],
  ['a full-width slash', '\uff0fpilot run'],
  ['a Cyrillic o', '/pil\u043et run'],
  ['/pilotx', '/pilotx run'],
  ['a blank first line', '\n/pilot run'],
  ['an empty body', ''],
  ['a 65,536-character body with the command at the end', `${'a'.repeat(65_536 - 11)}\n/pilot run`],
];

const VISIBLE_BODIES: Array<[string, string]> = [
  ['a 65,536-character command', `/pilot run ${'x'.repeat(65_536 - 11)}`],
  ['zero-width characters after the subcommand', '/pilot run\u200b\u200b'],
  ['bidi characters in the instructions', '/pilot run \u202eesrever\u202c'],
  ['an unknown subcommand', '/pilot sudo'],
  ['a marker pasted by a human', `/pilot run\n<!-- pilot:task {"status":"merged"} -->`],
];

function commentCases(): Case[] {
  const bases = byEvent('issue_comment').slice(0, 3);
  const people = [ACTORS[0], ACTORS[4], ACTORS[9]];
  return bases.flatMap((base) =>
    people.flatMap((actor) => [
      ...HIDDEN_BODIES.map(([name, body]) => ({
        name: `comment with ${name} by ${actor.login}`,
        event: 'issue_comment',
        payload: withSender({ ...base, action: 'created', comment: { ...base.comment, body } }, actor),
        repository: repoOf(base),
        mustIgnore: true,
      })),
      ...VISIBLE_BODIES.map(([name, body]) => ({
        name: `comment with ${name} by ${actor.login}`,
        event: 'issue_comment',
        payload: withSender({ ...base, action: 'created', comment: { ...base.comment, body } }, actor),
        repository: repoOf(base),
      })),
    ]),
  );
}

/** Comments that would loop: Pilot's own, and marked comments from any bot. */
function loopCases(): Case[] {
  const base = byEvent('issue_comment')[0];
  const pilot = { login: 'github-actions[bot]', id: 41898282, type: 'Bot' };
  const other = { login: 'renovate[bot]', id: 9, type: 'Bot' };
  const bodies = ['/pilot run', '/pilot run\n<!-- pilot:reply -->', '/pilot status\n<!-- pilot:task {} -->'];
  return bodies.flatMap((body, i) => [
    {
      name: `Pilot's own comment ${i}`,
      event: 'issue_comment',
      payload: withSender(
        { ...base, comment: { ...base.comment, body } },
        { ...pilot, login: i === 1 ? 'GitHub-Actions[bot]' : pilot.login },
      ),
      repository: repoOf(base),
      mustIgnore: true,
    },
    ...(i > 0
      ? [
          {
            name: `marked comment from another bot ${i}`,
            event: 'issue_comment',
            payload: withSender({ ...base, comment: { ...base.comment, body } }, other),
            repository: repoOf(base),
            mustIgnore: true,
          },
        ]
      : []),
  ]);
}

/** Remove a field (by path) from each trigger payload. */
const DROPS = [
  'sender',
  'sender.login',
  'sender.type',
  'sender.id',
  'issue',
  'issue.number',
  'label',
  'comment',
  'comment.body',
  'comment.user',
  'comment.id',
  'review',
  'review.state',
  'pull_request.head',
  'pull_request.head.repo',
  'workflow_run.head_repository',
  'workflow_run.head_branch',
  'workflow_run.head_sha',
  'inputs',
  'action',
];

function drop(p: Payload, path: string): boolean {
  const keys = path.split('.');
  let node = p;
  for (const key of keys.slice(0, -1)) {
    if (node == null || typeof node !== 'object') return false;
    node = node[key];
  }
  const last = keys[keys.length - 1];
  if (node == null || typeof node !== 'object' || !(last in node)) return false;
  delete node[last];
  return true;
}

function missingFieldCases(): Case[] {
  const out: Case[] = [];
  for (const { event, payload } of triggers()) {
    for (const path of DROPS) {
      const p = withSender(payload, ACTORS[0]);
      if (!drop(p, path)) continue;
      out.push({ name: `${event} without ${path}`, event, payload: p, repository: repoOf(payload) });
    }
  }
  return out;
}

/** Values of the wrong type at paths GitHub always fills; each must make the event an ignore. */
const WRONG_TYPES: Array<[string, unknown]> = [
  ['sender.login', 123],
  ['sender', 'admin-ada'],
  ['sender', { login: 'admin-ada', id: 1 }],
  ['issue.number', '1'],
  ['issue.number', -1],
  ['issue.number', 1.5],
  ['label.name', { toString: 'pilot' }],
  ['comment.body', ['/pilot run']],
  ['comment.id', 'abc'],
  ['review.state', null],
  ['workflow_run.conclusion', 1],
  ['workflow_run.head_branch', ['pilot/issue-4-y']],
  ['inputs.issue', { n: 5 }],
  ['inputs.command', 7],
  ['action', 7],
];

/** Sets a value at a path when its parent exists; false when the payload has no such parent. */
function set(p: Payload, path: string, value: unknown): boolean {
  const keys = path.split('.');
  let node = p;
  for (const key of keys.slice(0, -1)) {
    if (node == null || typeof node !== 'object') return false;
    node = node[key];
  }
  const last = keys[keys.length - 1];
  if (node == null || typeof node !== 'object' || !(last in node)) return false;
  node[last] = value;
  return true;
}

function wrongTypeCases(): Case[] {
  const out: Case[] = [];
  for (const { event, payload } of triggers()) {
    for (const [path, value] of WRONG_TYPES) {
      const p = withSender(payload, ACTORS[0]);
      if (!set(p, path, value)) continue;
      out.push({
        name: `${event} with ${path} = ${JSON.stringify(value)}`,
        event,
        payload: p,
        repository: repoOf(payload),
        mustIgnore: true,
      });
    }
  }
  return out;
}

function junkPayloadCases(): Case[] {
  const junk: unknown[] = [
    null,
    undefined,
    42,
    'payload',
    [],
    [{}],
    {},
    { action: null },
    { action: 'labeled' },
    { __proto__: { action: 'labeled' } },
  ];
  const events = [
    'issues',
    'issue_comment',
    'pull_request_review',
    'workflow_run',
    'workflow_dispatch',
    'repository_dispatch',
    'toString',
    '__proto__',
  ];
  return events.flatMap((event) =>
    junk.map((payload, i) => ({
      name: `${event} with junk payload ${i}`,
      event,
      payload,
      repository: 'acme/app',
      mustIgnore: true,
    })),
  );
}

const FORK_HEADS: Array<[string, unknown]> = [
  ['a fork', { full_name: 'evil/Hello-World' }],
  ['a look-alike name', { full_name: 'Codertocat/Hello-World-fork' }],
  ['a prefix of this repository', { full_name: 'Codertocat/Hello' }],
  ['a deleted fork', null],
  ['no full name', {}],
];

function forkCases(): Case[] {
  return triggers()
    .filter((t) => t.event === 'pull_request_review' || t.event === 'workflow_run')
    .flatMap(({ event, payload }) =>
      FORK_HEADS.flatMap(([name, repo]) =>
        [ACTORS[0], ACTORS[4]].map((actor) => {
          const p = withSender(payload, actor);
          if (event === 'workflow_run') {
            p.workflow_run.head_repository = repo;
            p.workflow_run.pull_requests = [];
          } else p.pull_request.head.repo = repo;
          return {
            name: `${event} from ${name} by ${actor.login}`,
            event,
            payload: p,
            repository: 'Codertocat/Hello-World',
            mustIgnore: true,
          };
        }),
      ),
    );
}

const GOOD_WORK: WorkIntent = {
  kind: 'work',
  command: 'run',
  source: 'label',
  trustedEvent: false,
  issue: 9,
  isPullRequest: false,
  sender: { login: 'stranger', id: 5, type: 'User' },
  args: '',
  rerun: false,
};

function forgedDispatches(): Array<[string, unknown, boolean]> {
  const good = (sender: Actor) => toDispatchPayload({ ...GOOD_WORK, sender }, 1);
  const base = good(ACTORS[4]);
  const eleven = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, i]));
  return [
    ...ACTORS.filter(
      (a) => /^[A-Za-z0-9][A-Za-z0-9_-]*(\[bot\])?$/.test(a.login) && a.type !== 'Organization',
    ).map((a): [string, unknown, boolean] => [
      `a well-formed payload naming ${a.login} (${a.type})`,
      good(a),
      false,
    ]),
    ['an extra key', { ...base, permission: 'admin' }, true],
    ['eleven junk keys', eleven, true],
    ['a __proto__ key', JSON.parse(`{"__proto__":{"admin":true},${JSON.stringify(base).slice(1)}`), true],
    ['oversized args', { ...base, args: 'x'.repeat(DISPATCH_ARGS_MAX + 1) }, true],
    ['a 1 MB login', { ...base, sender: { login: 'a'.repeat(1_000_000), id: 1, type: 'User' } }, true],
    ['a login with a newline', { ...base, sender: { login: 'admin-ada\nx', id: 1, type: 'User' } }, true],
    [
      'a login with a zero-width space',
      { ...base, sender: { login: 'admin-ada\u200b', id: 1, type: 'User' } },
      true,
    ],
    ['sender as a string', { ...base, sender: 'admin-ada' }, true],
    ['sender type as a number', { ...base, sender: { login: 'admin-ada', id: 1, type: 1 } }, true],
    ['no sender', { ...base, sender: undefined }, true],
    ['issue as a string', { ...base, issue: '9' }, true],
    ['issue zero', { ...base, issue: 0 }, true],
    ['issue huge', { ...base, issue: 2 ** 60 }, true],
    ['issue NaN-ish', { ...base, issue: null }, true],
    ['a reply command', { ...base, command: 'cancel' }, true],
    ['a sweep command', { ...base, command: 'sweep' }, true],
    ['an upper-case command', { ...base, command: 'RUN' }, true],
    ['is_pr as a string', { ...base, is_pr: 'yes' }, true],
    ['a bad head SHA', { ...base, head_sha: '$(curl evil)' }, true],
    ['a negative comment id', { ...base, comment_id: -5 }, true],
    ['an array payload', [base], true],
    ['a string payload', JSON.stringify(base), true],
    ['null', null, true],
  ];
}

function dispatchCases(): Case[] {
  const base = byEvent('repository_dispatch')[0];
  return forgedDispatches().flatMap(([name, clientPayload, mustIgnore]) =>
    ['pilot', 'PILOT', 'pilot '].map((action) => ({
      name: `repository_dispatch (${JSON.stringify(action)}) with ${name}`,
      event: 'repository_dispatch',
      payload: { ...clone(base), action, client_payload: clientPayload },
      repository: repoOf(base),
      mustIgnore: mustIgnore || action !== 'pilot',
    })),
  );
}

function rerunCases(): Case[] {
  return triggers().map(({ event, payload }) => ({
    name: `${event} re-run by a stranger`,
    event,
    payload: withSender(payload, ACTORS[4]),
    repository: repoOf(payload),
    runAttempt: 3,
  }));
}

const CASES: Case[] = [
  ...senderCases(),
  ...authorIsNotSenderCases(),
  ...commentCases(),
  ...loopCases(),
  ...missingFieldCases(),
  ...wrongTypeCases(),
  ...junkPayloadCases(),
  ...forkCases(),
  ...dispatchCases(),
  ...rerunCases(),
];

// ---- Running them ------------------------------------------------------------------------------------

const counts = { cases: 0, intents: 0, ignores: 0, allowed: 0, refusals: 0, throws: 0 };

/** Who the decision claims asked: the event's sender, or for a dispatch the sender it carries. */
function claimedSender(c: Case): Actor {
  const p = c.payload as Payload;
  const s = c.event === 'repository_dispatch' ? p.client_payload?.sender : p.sender;
  return { login: s?.login, id: s?.id, type: s?.type };
}

async function runCase(c: Case): Promise<{ decision: EventDecision; allowed?: boolean; reason?: string }> {
  const decision = decide(
    { eventName: c.event, payload: c.payload, repository: c.repository, runAttempt: c.runAttempt ?? 1 },
    OPTS,
  );
  if (decision.type === 'ignore') return { decision };
  const auth = await authorize(decision.intent.sender, POLICY, lookup);
  return { decision, allowed: auth.allowed, reason: auth.reason };
}

describe('bad inputs through decide → authorize', () => {
  afterAll(() => {
    console.log(
      `bad-input suite: ${counts.cases} cases, ${counts.intents} intents, ${counts.ignores} ignores, ` +
        `${counts.refusals} refusals, ${counts.allowed} allowed, ${counts.throws} throws`,
    );
  });

  it.each(CASES.map((c, i) => [`#${i} ${c.name}`, c] as const))('%s', async (_n, c) => {
    counts.cases++;
    let result: Awaited<ReturnType<typeof runCase>>;
    try {
      result = await runCase(c);
    } catch (error) {
      counts.throws++;
      throw error;
    }
    const { decision } = result;
    if (decision.type === 'ignore') {
      counts.ignores++;
      expect(decision.reason.trim()).not.toBe('');
      return;
    }
    counts.intents++;
    expect(c.mustIgnore ?? false).toBe(false);
    if (decision.intent.kind !== 'sweep') {
      // The intent credits exactly the account that acted, never the issue author.
      expect(decision.intent.sender).toEqual(claimedSender(c));
    }
    if (result.allowed) {
      counts.allowed++;
      expect(shouldBeAllowed(decision.intent.sender)).toBe(true);
    } else {
      counts.refusals++;
      expect(result.reason?.trim()).not.toBe('');
    }
  });

  it('ran at least 300 cases with no throws, and both refused and allowed some', () => {
    expect(counts.cases).toBeGreaterThanOrEqual(300);
    expect(counts.throws).toBe(0);
    expect(counts.refusals).toBeGreaterThan(0);
    expect(counts.allowed).toBeGreaterThan(0);
  });
});
