import http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as github from '@actions/github';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { githubPermissionLookup } from '../../src/auth/github-lookup.js';

// A tiny loopback stand-in for the collaborator-permission endpoint, answering per username.
const answers: Record<string, { status: number; body: unknown }> = {
  // GitHub's legacy field says "write" for a maintainer; the flags tell the truth.
  mia: {
    status: 200,
    body: {
      permission: 'write',
      role_name: 'maintain',
      user: {
        login: 'mia',
        permissions: { admin: false, maintain: true, push: true, triage: true, pull: true },
      },
    },
  },
  // A lying legacy field: only the flags may decide.
  liar: {
    status: 200,
    body: {
      permission: 'write',
      role_name: 'write',
      user: { login: 'liar', permissions: { admin: false, push: false, pull: true } },
    },
  },
  ghost: { status: 200, body: { permission: 'none', role_name: '', user: null } },
  hidden: { status: 403, body: { message: 'Must have push access to view collaborator permission.' } },
  broken: { status: 422, body: { message: 'Validation Failed' } },
};

let server: http.Server;
let baseUrl: string;
const paths: string[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    paths.push(req.url ?? '');
    const match = /^\/repos\/acme\/app\/collaborators\/([^/]+)\/permission$/.exec(req.url ?? '');
    const answer = (match && answers[decodeURIComponent(match[1])]) || {
      status: 404,
      body: { message: 'Not Found' },
    };
    res.writeHead(answer.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(answer.body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function lookup() {
  return githubPermissionLookup(github.getOctokit('test-token', { baseUrl }), 'acme', 'app');
}

describe('githubPermissionLookup', () => {
  it('reads user.permissions from the collaborator-permission endpoint', async () => {
    expect(await lookup()('mia')).toEqual({
      admin: false,
      maintain: true,
      push: true,
      triage: true,
      pull: true,
    });
    expect(paths).toContain('/repos/acme/app/collaborators/mia/permission');
  });

  it('ignores the legacy permission field when the flags disagree', async () => {
    expect(await lookup()('liar')).toEqual({
      admin: false,
      maintain: false,
      push: false,
      triage: false,
      pull: true,
    });
  });

  it('answers null (no permission) for a 404', async () => {
    expect(await lookup()('stranger')).toBeNull();
  });

  it('answers null for a 403', async () => {
    expect(await lookup()('hidden')).toBeNull();
  });

  it('answers null when GitHub returns no user', async () => {
    expect(await lookup()('ghost')).toBeNull();
  });

  it('passes other errors on', async () => {
    await expect(lookup()('broken')).rejects.toMatchObject({ status: 422 });
  });

  it('escapes bracketed bot logins in the path', async () => {
    expect(await lookup()('evil[bot]')).toBeNull();
    expect(paths.some((p) => p.includes('evil%5Bbot%5D'))).toBe(true);
  });
});
