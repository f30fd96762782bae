// The ticket link counts only on Pilot's own issue with a MAC for that issue number: copied, edited or
// outsider-authored links are not links.
import { describe, expect, it } from 'vitest';
import { TrackerTaskPayload } from '../../src/events/tracker-task.js';
import { readTicketLink, ticketMarker } from '../../src/state/ticket-link.js';
import { worldSeal } from '../world/state-key.js';

const seal = worldSeal();
const link = { source: 'jira' as const, key: 'PROJ-7', url: 'https://acme.atlassian.net/browse/PROJ-7' };
const PILOT = 'github-actions[bot]';

describe('ticket link', () => {
  it('reads back on Pilot’s issue with the number it was sealed for', () => {
    const body = `text\n\n${ticketMarker(link, 5, seal)}`;
    expect(readTicketLink({ number: 5, body, user: { login: PILOT } }, PILOT, seal)).toEqual(link);
  });

  it('is not a link when copied to another issue, written by someone else, or edited', () => {
    const marker = ticketMarker(link, 5, seal);
    expect(readTicketLink({ number: 6, body: marker, user: { login: PILOT } }, PILOT, seal)).toBeNull();
    expect(readTicketLink({ number: 5, body: marker, user: { login: 'rita' } }, PILOT, seal)).toBeNull();
    const edited = marker.replace('PROJ-7', 'PROJ-8');
    expect(readTicketLink({ number: 5, body: edited, user: { login: PILOT } }, PILOT, seal)).toBeNull();
  });
});

describe('pilot-task payload', () => {
  const ok = { source: 'jira', key: 'PROJ-7', url: 'https://x/browse/PROJ-7', title: 'T' };
  it('takes a Jira-shaped ticket', () => {
    expect(TrackerTaskPayload.parse(ok)).toMatchObject({ key: 'PROJ-7', body: '' });
  });
  it.each([
    ['a key with spaces', { ...ok, key: 'PROJ 7' }],
    ['a key carrying a marker', { ...ok, key: 'P-1<!--' }],
    ['a javascript: URL', { ...ok, url: 'javascript:alert(1)' }],
    ['an extra key', { ...ok, issue: 1 }],
    ['a huge body', { ...ok, body: 'x'.repeat(20_001) }],
    ['an unknown source', { ...ok, source: 'trello' }],
  ])('refuses %s', (_why, payload) => {
    expect(TrackerTaskPayload.safeParse(payload).success).toBe(false);
  });
});
