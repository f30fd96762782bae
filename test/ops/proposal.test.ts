// The agent's proposal and the cooldowns: a name counts only when it is a playbook of the service, and
// a playbook runs at most max-per-window times in its window, counted from ledger records.
import { describe, expect, it } from 'vitest';
import type { OpsRecord } from '../../src/ledger/records.js';
import { cooldownOf } from '../../src/ops/cooldown.js';
import { parseInventory } from '../../src/ops/inventory.js';
import { choiceOf, parseProposal } from '../../src/ops/proposal.js';

const [service] = parseInventory(`services:
  - name: api
    checks:
      - type: tcp
        host: 127.0.0.1
        port: 1
    playbooks:
      - name: restart
        tier: 2
        run: systemctl restart api
      - name: redeploy
        tier: 3
        run: ./deploy.sh
`).services;
const [restart, redeploy] = service.playbooks;

function remediated(at: string, playbook = 'restart', svc = 'api'): OpsRecord {
  return { v: 1, kind: 'ops', key: `k-${at}`, at, service: svc, event: 'remediated', playbook, detail: '' };
}

describe("the agent's proposal", () => {
  it('reads the last json block of the answer', () => {
    const text =
      'Looked around.\n```json\n{"diagnosis": "old"}\n```\nThen:\n```json\n{"diagnosis": "the process died", "playbook": "restart"}\n```';
    expect(parseProposal(text)).toEqual({ diagnosis: 'the process died', playbook: 'restart' });
    expect(parseProposal('no json here')).toBeNull();
    expect(parseProposal('```json\n{"playbook": "restart"}\n```')).toBeNull(); // no diagnosis
  });

  it('runs nothing for a name that is not a playbook of the service, and escalates a tier-3 one', () => {
    expect(choiceOf(service, { diagnosis: 'x', playbook: 'rm -rf /' })).toEqual({
      kind: 'unknown',
      name: 'rm -rf /',
    });
    expect(choiceOf(service, { diagnosis: 'x', playbook: 'redeploy' })).toEqual({
      kind: 'tier3',
      book: redeploy,
    });
    expect(choiceOf(service, { diagnosis: 'x', playbook: 'restart' })).toEqual({
      kind: 'tier2',
      book: restart,
    });
    expect(choiceOf(service, { diagnosis: 'x', playbook: null })).toEqual({ kind: 'none' });
  });
});

describe('cooldowns', () => {
  const now = Date.parse('2026-12-03T12:00:00Z');

  it('allows two restarts per service in 4 hours and says when the third is allowed', () => {
    const two = [remediated('2026-12-03T09:00:00Z'), remediated('2026-12-03T11:00:00Z')];
    expect(cooldownOf('api', restart, two.slice(0, 1), now)).toMatchObject({
      allowed: true,
      used: 1,
      max: 2,
    });
    expect(cooldownOf('api', restart, two, now)).toEqual({
      allowed: false,
      used: 2,
      max: 2,
      windowHours: 4,
      nextAt: '2026-12-03T13:00:00.000Z',
    });
  });

  it('counts only this service and playbook, inside the window', () => {
    const others = [
      remediated('2026-12-03T07:00:00Z'), // older than 4 h
      remediated('2026-12-03T11:00:00Z', 'restart', 'db'),
      remediated('2026-12-03T11:00:00Z', 'redeploy'),
    ];
    expect(cooldownOf('api', restart, others, now)).toMatchObject({ allowed: true, used: 0 });
    expect(cooldownOf('api', redeploy, others, now)).toMatchObject({ allowed: false, used: 1, max: 1 });
  });
});
