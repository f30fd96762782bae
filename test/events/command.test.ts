import { describe, expect, it } from 'vitest';
import { helpText, parseCommand } from '../../src/events/command.js';

describe('the /pilot grammar', () => {
  const commands: Array<[string, string, { command: string; args: string }]> = [
    ['bare /pilot means run', '/pilot', { command: 'run', args: '' }],
    ['run without instructions', '/pilot run', { command: 'run', args: '' }],
    ['run with instructions', '/pilot run use the new API', { command: 'run', args: 'use the new API' }],
    [
      'run takes the following lines as instructions too',
      '/pilot run be careful\nkeep the old tests\r\nand add one',
      { command: 'run', args: 'be careful\nkeep the old tests\nand add one' },
    ],
    [
      'bare /pilot with instructions below',
      '/pilot\nplease add docs',
      { command: 'run', args: 'please add docs' },
    ],
    ['plan', '/pilot plan', { command: 'plan', args: '' }],
    ['plan ignores trailing words', '/pilot plan for the parser', { command: 'plan', args: '' }],
    ['plan --split asks for an epic plan', '/pilot plan --split', { command: 'plan', args: '--split' }],
    [
      'plan --split with more words is a plain plan',
      '/pilot plan --split now',
      { command: 'plan', args: '' },
    ],
    ['approve takes no text', '/pilot approve all of it', { command: 'approve', args: '' }],
    ['retry', '/pilot retry', { command: 'retry', args: '' }],
    ['cancel', '/pilot cancel', { command: 'cancel', args: '' }],
    ['status', '/pilot status', { command: 'status', args: '' }],
    ['help', '/pilot help', { command: 'help', args: '' }],
    ['fix with what to fix', '/pilot fix the lint errors', { command: 'fix', args: 'the lint errors' }],
    ['fix with lines below', '/pilot fix\n- rename foo', { command: 'fix', args: '- rename foo' }],
    ['upper-case prefix and subcommand', '/PILOT RUN Now', { command: 'run', args: 'Now' }],
    ['mixed case', '/Pilot Plan', { command: 'plan', args: '' }],
    ['leading spaces', '   /pilot status', { command: 'status', args: '' }],
    ['a leading tab', '\t/pilot help', { command: 'help', args: '' }],
    ['several spaces between words', '/pilot    run    now  ', { command: 'run', args: 'now' }],
    ['tab between words', '/pilot\tcancel', { command: 'cancel', args: '' }],
    ['trailing spaces after bare /pilot', '/pilot   ', { command: 'run', args: '' }],
    ['unknown subcommand', '/pilot deploy prod', { command: 'unknown', args: 'deploy' }],
    ['a typo is unknown, not run', '/pilot rn', { command: 'unknown', args: 'rn' }],
    ['a subcommand glued to punctuation is unknown', '/pilot run!', { command: 'unknown', args: 'run!' }],
    ['CRLF first line', '/pilot retry\r\nthanks', { command: 'retry', args: '' }],
  ];
  it.each(commands)('parses %s', (_name, body, expected) => {
    expect(parseCommand(body)).toEqual(expected);
  });

  const notCommands: Array<[string, string]> = [
    ['an ordinary comment', 'Looks good to me'],
    ['an empty comment', ''],
    ['a longer word that starts with pilot', '/pilotx run'],
    ['pilot without the slash', 'pilot run'],
    ['a command on the second line', 'Thanks!\n/pilot run'],
    ['a command after a blank first line', '\n/pilot run'],
    ['a quoted command', '> /pilot run'],
    ['a quoted command with a space', ' > /pilot run'],
    ['a command inside a code fence', '```\n/pilot run\n```'],
    ['a command in inline code', '`/pilot run`'],
    ['a command in an HTML comment', '<!-- /pilot run -->'],
    ['a command mid-sentence', 'please /pilot run'],
    ['a zero-width space before the prefix', '\u200b/pilot run'],
    ['a zero-width joiner glued after the prefix', '/pilot\u200drun'],
    ['a bidi override before the prefix', '\u202e/pilot run'],
    ['a non-breaking space before the prefix', '\u00a0/pilot run'],
    ['a different slash', '∕pilot run'],
    ['a Cyrillic look-alike', '/pilоt run'],
    ['a list item', '- /pilot run'],
  ];
  it.each(notCommands)('does not treat %s as a command', (_name, body) => {
    expect(parseCommand(body)).toBeNull();
  });

  it('reads a command at the start of a comment at the 65,536-character limit', () => {
    const body = `/pilot run ${'x'.repeat(65_536 - 11)}`;
    expect(body).toHaveLength(65_536);
    const parsed = parseCommand(body);
    expect(parsed?.command).toBe('run');
    expect(parsed?.args).toHaveLength(65_536 - 11);
  });
});

describe('the help text', () => {
  const text = helpText('pilot');

  it('lists every command', () => {
    for (const word of ['run', 'plan', 'retry', 'cancel', 'status', 'fix', 'help']) {
      expect(text).toContain(`\`/pilot ${word}`);
    }
  });

  it('names the trigger label', () => {
    expect(helpText('ai-task')).toContain('`ai-task`');
  });

  it('never has a line that would read as a command', () => {
    for (const line of text.split('\n')) expect(parseCommand(line)).toBeNull();
    expect(parseCommand(text)).toBeNull();
    expect(text.split('\n').some((line) => line.trimStart().startsWith('/pilot'))).toBe(false);
  });
});
