// The `/pilot` comment grammar. A command is `/pilot [subcommand] [args]` on the FIRST line of a comment
// only, so quoting someone's command (`> /pilot run`), showing it in code, or mentioning it further down
// never triggers anything.
import { ACTION_NAME, COMMAND_PREFIX, COMMANDS, type CommandName } from '../constants.js';

export type ParsedCommandName = CommandName | 'unknown';

export interface ParsedCommand {
  command: ParsedCommandName;
  /** Extra instructions (`run`, `fix`: rest of the first line plus the following lines) or the unknown subcommand. */
  args: string;
}

/** `/pilot plan --split`: split an epic into sub-issues instead of planning one change. */
export const SPLIT_FLAG = '--split';

/** Commands whose args carry free text for the agent; the others take none. */
const TAKES_TEXT = new Set<ParsedCommandName>(['run', 'fix', 'remember', 'forget']);

/**
 * Leading spaces/tabs, then the prefix, then whitespace or the end of the line. Only ASCII
 * whitespace counts: a zero-width or bidi character before or after `/pilot` makes the line
 * something a reader cannot see as typed, so it is not a command.
 */
const FIRST_LINE = new RegExp(`^[ \\t]*${escapeRegExp(COMMAND_PREFIX)}(?:[ \\t]+(.*))?$`, 'i');

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function isCommandName(word: string): word is CommandName {
  return (COMMANDS as readonly string[]).includes(word);
}

/** Splits the rest of the first line into the subcommand word and what follows it. */
function splitWord(rest: string): { word: string; tail: string } {
  const match = /^(\S+)(?:[ \t]+(.*))?$/.exec(rest.trim());
  if (!match) return { word: '', tail: '' };
  return { word: match[1], tail: match[2] ?? '' };
}

/** Returns the command on the comment's first line, or null when the comment is not a command. */
export function parseCommand(body: string): ParsedCommand | null {
  const [firstLine, ...following] = body.split(/\r?\n/);
  const match = FIRST_LINE.exec(firstLine);
  if (!match) return null;
  const { word, tail } = splitWord(match[1] ?? '');
  const lowered = word.toLowerCase();
  if (word !== '' && !isCommandName(lowered)) return { command: 'unknown', args: word };
  const command: CommandName = word === '' ? 'run' : (lowered as CommandName);
  // `/pilot plan --split` asks for an epic's plan (docs/epics.md); any other text after `plan` is ignored.
  if (command === 'plan' && tail.trim().toLowerCase() === SPLIT_FLAG) return { command, args: SPLIT_FLAG };
  if (!TAKES_TEXT.has(command)) return { command, args: '' };
  return { command, args: [tail, ...following].join('\n').trim() };
}

/**
 * The reply to `/pilot help` and to unknown subcommands. No line may begin with `/pilot` (even after
 * indentation), or Pilot's own reply would read as a command: every command is backtick-quoted.
 */
export function helpText(triggerLabel: string): string {
  const p = COMMAND_PREFIX;
  return [
    `**${ACTION_NAME} commands** — write one on the first line of a comment (users with write access only):`,
    '',
    '| command | what it does |',
    '| --- | --- |',
    `| \`${p}\` or \`${p} run [instructions]\` | start (or restart) the task for this issue |`,
    `| \`${p} plan\` | post a plan only, change nothing; \`${p} run\` afterwards starts from it |`,
    `| \`${p} plan --split\` | plan an epic as sub-issues in dependency order, for a maintainer to approve |`,
    `| \`${p} retry\` | run again, resuming the previous session, told why the last run failed |`,
    `| \`${p} cancel\` | cancel the run in progress and keep the work so far |`,
    `| \`${p} status\` | show the task's state, pull request and cost |`,
    `| \`${p} fix [what]\` | on a Pilot pull request: continue its task (same branch, PR and session) |`,
    `| \`${p} help\` | show this list and the effective configuration |`,
    `| \`${p} remember <lesson>\` | maintainers: keep a lesson in Pilot's memory for every later task |`,
    `| \`${p} memory\` | list what Pilot remembers, with ids |`,
    `| \`${p} forget <id>\` | maintainers: remove one lesson from Pilot's memory |`,
    `| \`${p} approve\` | maintainers: approve an epic's plan; Pilot creates its sub-issues and starts them in order |`,
    `| \`${p} resume\` | maintainers: resume the merge autopilot after its circuit breaker paused it |`,
    '',
    `Adding the label \`${triggerLabel}\` starts a task too; removing it or closing the issue cancels.`,
  ].join('\n');
}
