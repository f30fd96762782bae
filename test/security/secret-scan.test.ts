// The scanner finds secrets in what a push would publish and reports file and line, never the value.
import { describe, expect, it } from 'vitest';
import { entropy, scanDiff, secretKindsIn } from '../../src/security/secret-scan.js';

const HELD = 'held-value-Xy7q2Lm0Vb9';

function diffOf(file: string, added: string[], start = 1): string {
  return [
    `diff --git a/${file} b/${file}`,
    'new file mode 100644',
    '--- /dev/null',
    `+++ b/${file}`,
    `@@ -0,0 +${start},${added.length} @@`,
    ...added.map((l) => `+${l}`),
  ].join('\n');
}

describe('secretKindsIn', () => {
  it.each([
    ['a classic PAT', `token = "ghp_${'a1B2'.repeat(9)}"`, 'GitHub token'],
    ['an installation token', `x ghs_${'Z9y8'.repeat(9)}`, 'GitHub token'],
    ['a fine-grained PAT', `github_pat_11ABCDEFG0${'x'.repeat(60)}`, 'GitHub fine-grained token'],
    ['an Anthropic key', 'ANTHROPIC=sk-ant-api03-abcdefghijklmnop', 'Anthropic API key'],
    ['an AWS key id', 'aws_access_key_id = AKIAIOSFODNN7EXAMPLE', 'AWS access key id'],
    ['an RSA private key header', '-----BEGIN RSA PRIVATE KEY-----', 'private key'],
    ['an OpenSSH private key header', '-----BEGIN OPENSSH PRIVATE KEY-----', 'private key'],
    [
      'a high-entropy *_SECRET',
      'STRIPE_SECRET="q8Zr2LmP0vXw7Tk4Nb9Yc1Hs"',
      'high-entropy value assigned to STRIPE_SECRET',
    ],
    [
      'a high-entropy apiKey in JSON',
      '"apiKey": "Aq7Pz0Lm3Xc9Vb2Nk5Rt8Wy1"',
      'high-entropy value assigned to apiKey',
    ],
  ])('finds %s', (_name, line, kind) => {
    expect(secretKindsIn(line, [])).toContain(kind);
  });

  it('finds a value Pilot holds wherever it appears in the line', () => {
    expect(secretKindsIn(`const t = '${HELD}';`, [HELD])).toContain('a secret value Pilot holds');
  });

  it.each([
    ['an env lookup', 'const GITHUB_TOKEN = process.env.GITHUB_TOKEN;'],
    ['an Actions expression', 'token: ${{ secrets.GITHUB_TOKEN }}'],
    ['a placeholder', 'API_KEY=your-api-key-goes-here'],
    ['a low-entropy value', 'CACHE_KEY=aaaaaaaaaaaaaaaaaaaaaaaa1'],
    ['prose', 'The token is refreshed every hour; see docs/tokens.md.'],
  ])('does not flag %s', (_name, line) => {
    expect(secretKindsIn(line, [HELD])).toEqual([]);
  });

  it('entropy is 0 for one repeated character and 4 for 16 distinct ones', () => {
    expect(entropy('aaaa')).toBe(0);
    expect(entropy('0123456789abcdef')).toBe(4);
  });
});

describe('scanDiff', () => {
  it('names the file and the line in the new file, never the value', () => {
    const diff = diffOf('src/config.js', ['// settings', `greet('${HELD}');`], 10);
    const findings = scanDiff(diff, [HELD]);
    expect(findings).toEqual([{ file: 'src/config.js', line: 11, kind: 'a secret value Pilot holds' }]);
    expect(JSON.stringify(findings)).not.toContain(HELD);
  });

  it('ignores removed lines and counts context lines', () => {
    const diff = [
      'diff --git a/a.txt b/a.txt',
      '--- a/a.txt',
      '+++ b/a.txt',
      '@@ -1,3 +1,3 @@',
      ' one',
      `-${HELD}`,
      '+two',
      ' three',
      `+${HELD}`,
    ].join('\n');
    expect(scanDiff(diff, [HELD])).toEqual([{ file: 'a.txt', line: 4, kind: 'a secret value Pilot holds' }]);
  });

  it('is not fooled by an added line that looks like a file header', () => {
    const diff = diffOf('notes.md', ['++ b/other.md', `${HELD}`]);
    expect(scanDiff(diff, [HELD])).toEqual([
      { file: 'notes.md', line: 2, kind: 'a secret value Pilot holds' },
    ]);
  });

  it('scans every file of a multi-commit log', () => {
    const diff = [
      'commit 1111111111111111111111111111111111111111',
      diffOf('a.txt', ['fine']),
      'commit 2222222222222222222222222222222222222222',
      diffOf('b.txt', ['AKIAIOSFODNN7EXAMPLE']),
    ].join('\n');
    expect(scanDiff(diff, [])).toEqual([{ file: 'b.txt', line: 1, kind: 'AWS access key id' }]);
  });

  it('ignores held values too short to be secrets', () => {
    expect(scanDiff(diffOf('a.txt', ['abc']), ['abc'])).toEqual([]);
  });
});
