// `environments:` (issue 19 item 2): read from `.github/pilot.yml`; a mistake names the file line
// and what would be accepted.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configTable } from '../../src/config/describe.js';
import { type Config, loadConfig } from '../../src/config/load.js';
import { clearInputs, makeWorkspace, removeWorkspaces, setInputs } from './inputs-env.js';

const FILE = '.github/pilot.yml';

function load(text: string): Config {
  setInputs({});
  return loadConfig({ workspace: makeWorkspace({ [FILE]: text }) });
}

describe('environments', () => {
  beforeEach(clearInputs);
  afterEach(() => {
    clearInputs();
    removeWorkspaces();
  });

  it('reads each environment with require-approval defaulting to false', () => {
    const config = load(
      'environments:\n  dev: { autopilot: merge }\n  prod:\n    autopilot: merge\n    require-approval: true\n    branch: main\n',
    );
    expect(config.environments).toEqual([
      { name: 'dev', autopilot: 'merge', requireApproval: false, branch: undefined },
      { name: 'prod', autopilot: 'merge', requireApproval: true, branch: 'main' },
    ]);
  });

  it('shows them in the /pilot help table', () => {
    const config = load(
      'environments:\n  prod: { autopilot: merge, require-approval: true, branch: main }\n',
    );
    expect(configTable(config)).toContain(
      "| `environments` | `prod: autopilot merge, approval by pilot-prod's reviewers, branch main` |",
    );
  });

  it('has none by default', () => {
    expect(load('max-turns: 40\n').environments).toEqual([]);
  });

  it('names the line and the accepted form of a bad field, an unknown field and a bad name', () => {
    const text =
      'environments:\n  prod:\n    require-approval: yes please\n  dev:\n    approvers: [carol]\n  "pilot prod": {}\n';
    expect(() => load(text)).toThrow(/environments\.prod\.require-approval.*line 3.*true or false/s);
    expect(() => load(text)).toThrow(/approvers.*line 5/s);
    expect(() => load(text)).toThrow(/pilot prod.*line 6.*letters, digits/s);
  });
});
