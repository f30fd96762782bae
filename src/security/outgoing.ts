// The last check before anything leaves the runner: the commits a push would publish (those no
// remote-tracking ref has yet) must not change protected paths and must not contain secrets. A hit
// refuses the whole push; the error names paths and file:line, never a secret's value.
import type { Git } from '../git/git.js';
import { rawRepositoryPaths } from '../git/nested.js';
import { neutraliseLinks, stripHidden } from '../prompt/sanitize.js';
import { BUILTIN_PROTECTED, type ProtectionRules, refusedPaths } from './protected-paths.js';
import { knownSecrets } from './redact.js';
import { type SecretFinding, scanDiff } from './secret-scan.js';

/** Used when a caller has no configuration at hand (the default config path is protected too). */
export const DEFAULT_RULES: ProtectionRules = {
  protect: [...BUILTIN_PROTECTED, '.github/pilot.yml'],
  allow: [],
};

export class PushRefused extends Error {
  constructor(
    readonly paths: string[],
    readonly secrets: SecretFinding[],
    /** Nested repositories (`sub/.git`, committed as gitlinks) and other `.git` paths. */
    readonly repositories: string[] = [],
  ) {
    super(describeRefusal(paths, secrets, repositories));
    this.name = 'PushRefused';
  }
}

export function describeRefusal(
  paths: string[],
  secrets: SecretFinding[],
  repositories: string[] = [],
): string {
  const parts = ['Pilot did not push: the change needs a human.'];
  if (repositories.length) {
    parts.push(
      `The agent created git repository metadata, which Pilot never commits: ${repositories.map((p) => `\`${p}\``).join(', ')}. ` +
        'A nested repository would be committed as a submodule link, and its config can make git run commands.',
    );
  }
  if (paths.length) {
    parts.push(
      `The agent changed protected paths: ${paths.map((p) => `\`${p}\``).join(', ')}. ` +
        'Make such changes yourself, or allow a path with a `!` entry in `protected-paths` (e.g. `!docs/CLAUDE.md`).',
    );
  }
  if (secrets.length) {
    const places = byPlace(secrets);
    const shown = places.slice(0, 20).map(([place, kinds]) => `\`${place}\` (${kinds.join(', ')})`);
    const more = places.length > shown.length ? ` and ${places.length - shown.length} more` : '';
    parts.push(`Possible secrets in the diff: ${shown.join(', ')}${more}. The values are not shown.`);
  }
  return parts.join('\n\n');
}

/** One entry per file:line, with every kind found there. */
function byPlace(secrets: SecretFinding[]): Array<[string, string[]]> {
  const places = new Map<string, string[]>();
  for (const f of secrets) {
    const place = `${f.file}:${f.line}`;
    places.set(place, [...(places.get(place) ?? []), f.kind]);
  }
  return [...places];
}

const OUTGOING = ['HEAD', '--not', '--remotes=origin'];

async function outgoingPaths(git: Git): Promise<string[]> {
  const { stdout } = await git.run(['log', '-z', '--no-renames', '--name-only', '--format=', ...OUTGOING]);
  return [
    ...new Set(
      stdout
        .split('\0')
        .map((p) => p.trim())
        .filter(Boolean),
    ),
  ];
}

async function outgoingDiff(git: Git): Promise<string> {
  const { stdout } = await git.run([
    '-c',
    'core.quotePath=false',
    'log',
    '-p',
    '-U0',
    '--text',
    '--no-color',
    '--no-ext-diff',
    '--no-renames',
    '--format=commit %H',
    ...OUTGOING,
  ]);
  return stdout;
}

/** A held value written base64- or hex-encoded is still that value. */
function withEncodings(values: string[]): string[] {
  return values.flatMap((v) => [
    v,
    Buffer.from(v).toString('base64').replace(/=+$/, ''),
    Buffer.from(v).toString('hex'),
  ]);
}

/** Gitlinks and `.git` paths in the outgoing commits (`none`: the hardening hides gitlinks otherwise). */
async function outgoingRepositories(git: Git): Promise<string[]> {
  const { stdout } = await git.run([
    'log',
    '-z',
    '--raw',
    '--no-renames',
    '--no-abbrev',
    '--ignore-submodules=none',
    '--format=',
    ...OUTGOING,
  ]);
  return rawRepositoryPaths(stdout);
}

/** Throws PushRefused when the commits about to be pushed break a rule. */
export async function checkOutgoing(git: Git, rules: ProtectionRules = DEFAULT_RULES): Promise<void> {
  const paths = refusedPaths(await outgoingPaths(git), rules);
  const secrets = scanDiff(await outgoingDiff(git), withEncodings(knownSecrets()));
  const repositories = await outgoingRepositories(git);
  if (paths.length || secrets.length || repositories.length)
    throw new PushRefused(paths, secrets, repositories);
}

// --- the agent's words ----------------------------------------------------------------------------
// Text the agent wrote (its plan, TodoWrite lines, final answer, failure reason) is published by Pilot
// in the tracking comment and the PR body. It is untrusted input like an outsider's issue: it must not
// open or close a hidden comment (a forged marker would become Pilot's state), show images or links
// that make the reader's browser (or camo) call a foreign host, close issues, or ping teams.

/** `<!--` and `-->` shown as text, so nothing in the agent's words can open or close a hidden comment. */
export function escapeCommentDelimiters(text: string): string {
  return text.replace(/<!--/g, '&lt;!--').replace(/--(!?)>/g, '--$1&gt;');
}

// GitHub's closing keywords, followed by `#n`, `owner/repo#n` or an issue URL.
const CLOSING =
  /\b(close[sd]?|fix(?:e[sd])?|resolve[sd]?)(\s*:?\s+)(#\d+|[\w.-]+\/[\w.-]+#\d+|https?:\/\/\S+\/(?:issues|pull)\/\d+)/gi;

/** A closing keyword in the agent's text becomes plain text: only Pilot's own `Closes #n` closes. */
export function defuseClosingKeywords(text: string): string {
  return text.replace(CLOSING, (_whole, word: string, gap: string, ref: string) => `${word}${gap}\`${ref}\``);
}

/** `@org/team` in a code span: GitHub notifies nobody for it. */
export function defuseTeamMentions(text: string): string {
  return text.replace(
    /(^|[^\w`@/])@([A-Za-z0-9][A-Za-z0-9-]*\/[A-Za-z0-9][\w.-]*)/g,
    (_whole, before: string, team: string) => `${before}\`@${team}\``,
  );
}

/** What every agent-written text becomes before Pilot publishes it. */
export function neutraliseAgentText(text: string): string {
  // Escape, then drop invisible characters (which could join `<!` and `--`), then escape what that joined.
  const visible = escapeCommentDelimiters(stripHidden(escapeCommentDelimiters(text)));
  return defuseTeamMentions(defuseClosingKeywords(neutraliseLinks(visible)));
}
