import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { clearInputs, makeWorkspace, removeWorkspaces, setInputs } from './inputs-env.js';

afterEach(() => {
  clearInputs();
  removeWorkspaces();
});

function load(value: string) {
  setInputs({ 'allowed-hosts': value });
  return loadConfig({ workspace: makeWorkspace({}) });
}

describe('allowed-hosts', () => {
  it('takes host names, addresses, wildcards and host:port entries', () => {
    expect(load('registry.npmjs.org, 127.0.0.1:4873\n*.example.com').allowedHosts).toEqual([
      'registry.npmjs.org',
      '127.0.0.1:4873',
      '*.example.com',
    ]);
  });

  it('is empty by default: sandboxed commands reach only the gateway', () => {
    expect(load('').allowedHosts).toEqual([]);
  });

  it('refuses URLs and spaces, quoting the value and the expected form', () => {
    expect(() => load('https://registry.npmjs.org')).toThrow(/https:\/\/registry\.npmjs\.org.*host/s);
  });
});
