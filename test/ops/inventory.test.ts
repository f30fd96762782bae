// `.github/pilot-ops.yml`: a good inventory gets its defaults; a bad one is refused naming file and line.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/errors.js';
import { allowanceOf, parseInventory } from '../../src/ops/inventory.js';

const GOOD = `services:
  - name: api
    checks:
      - type: http
        url: http://127.0.0.1:8080/health
        body: ok
      - type: tcp
        host: 127.0.0.1
        port: 5432
    playbooks:
      - name: restart
        tier: 2
        run: systemctl restart api
      - name: redeploy
        tier: 3
        run: ./deploy.sh
`;

function problemOf(text: string): string {
  try {
    parseInventory(text);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error('the inventory was accepted');
}

describe('the ops inventory', () => {
  it('fills in heal-after, timeouts and the tier defaults of each playbook', () => {
    const inv = parseInventory(GOOD);
    expect(inv['heal-after']).toBe(2);
    expect(inv.services[0].checks[0]).toMatchObject({ status: 200, 'timeout-seconds': 10 });
    const [restart, redeploy] = inv.services[0].playbooks;
    expect(allowanceOf(restart)).toEqual({ max: 2, windowHours: 4 });
    expect(allowanceOf(redeploy)).toEqual({ max: 1, windowHours: 24 });
  });

  it('names the line of a playbook with an unknown tier', () => {
    expect(problemOf(GOOD.replace('tier: 2', 'tier: 5'))).toBe(
      '.github/pilot-ops.yml line 12: services.0.playbooks.0.tier: tier 2 (safe, Pilot runs it) or 3 (risky, runs only after an approval)',
    );
  });

  it('names the line of an unknown check type and of a misspelt key', () => {
    expect(problemOf(GOOD.replace('type: tcp', 'type: ftp'))).toMatch(
      /^\.github\/pilot-ops\.yml line 7: services\.0\.checks\.1\.type: /,
    );
    expect(problemOf(GOOD.replace('port: 5432', 'prot: 5432'))).toContain(
      '.github/pilot-ops.yml line 7: services.0.checks.1: Unrecognized key: "prot"',
    );
  });

  it('names the line of broken YAML and of a second service with the same name', () => {
    expect(problemOf('services:\n  - name: api\n    checks: [\n')).toMatch(/^.*line 3: not valid YAML/m);
    const twice = `${GOOD}  - name: api\n    checks:\n      - type: dns\n        host: localhost\n`;
    expect(problemOf(twice)).toBe(
      '.github/pilot-ops.yml line 17: services.1.name: a second service named api',
    );
  });
});
