// What the tracking comment says about CI follow-ups: the flake check, the bound, the same failure
// twice. Signatures and excerpts come from an untrusted log: they pass publishableExcerpt first.
import { publishableExcerpt } from './ci-excerpt.js';
import type { TrackingView } from './comment.js';

/** "CI fixes: 1 of 3 used": the rounds out of the bound, shown on every CI view. */
export function ciRounds(used: number, max: number): [string, string] {
  return ['CI fixes', `${used} of ${max} used`];
}

const code = (text: string) => `\`${publishableExcerpt(text, 300).replace(/`/g, "'")}\``;

function excerptBlock(text: string): string {
  return ['```text', publishableExcerpt(text), '```'].join('\n');
}

export interface CiFacts {
  signature: string;
  runUrl: string;
  used: number;
  max: number;
  excerpt?: string;
}

function ciView(headline: string, facts: CiFacts, body: string[]): Omit<TrackingView, 'links'> {
  return {
    headline,
    details: [ciRounds(facts.used, facts.max), ['Failure', code(facts.signature)]],
    body: [...body, ...(facts.excerpt ? [excerptBlock(facts.excerpt)] : [])].join('\n\n'),
  };
}

export function rerunView(facts: CiFacts): Omit<TrackingView, 'links'> {
  return ciView('CI failed: rerunning the failed jobs once (flake check)', facts, [
    `[The failed run](${facts.runUrl}) failed in a way not seen before on this task, in nothing Pilot changed. ` +
      'Pilot asked GitHub to rerun its failed jobs before spending anything on a fix; a green rerun is reported as a flake.',
  ]);
}

export function flakeView(facts: CiFacts): Omit<TrackingView, 'links'> {
  return ciView('CI passed on rerun: the failure was a flake', facts, [
    `The rerun of [the failed run](${facts.runUrl}) passed, so nothing was changed and no model was called.`,
  ]);
}

export function boundView(facts: CiFacts): Omit<TrackingView, 'links'> {
  return ciView(`CI still failing after ${facts.used} fixes: a human is needed`, facts, [
    `[This run](${facts.runUrl}) failed again, and Pilot has used all ${facts.max} CI fixes \`max-ci-fixes\` allows, ` +
      'so it started no agent. Fix it by hand, or raise `max-ci-fixes` and comment `/pilot fix`.',
  ]);
}

export function sameFailureView(facts: CiFacts): Omit<TrackingView, 'links'> {
  return ciView('CI failed the same way twice in a row: a human is needed', facts, [
    `[This run](${facts.runUrl}) failed with the same failure as before Pilot's last fix, so another attempt is unlikely ` +
      'to help and Pilot started no agent. Look at the failure below, or comment `/pilot fix <hint>` to try again.',
  ]);
}

export function fixingView(facts: CiFacts): Omit<TrackingView, 'links'> {
  return ciView('CI failed: fixing it', facts, [
    `Resuming the task's session with the error region of [the failed run](${facts.runUrl}).`,
  ]);
}
