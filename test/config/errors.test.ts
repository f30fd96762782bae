import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load.js';
import { clearInputs, makeWorkspace, removeWorkspaces, setInputs } from './inputs-env.js';

interface BadConfig {
  name: string;
  inputs?: Record<string, string>;
  file?: string;
  /** Every fragment must appear in the error message: key, value, where, accepted form. */
  says: string[];
  /** Fragments that must not appear (secret values). */
  never?: string[];
}

const FILE = '.github/pilot.yml';

function failure(bad: BadConfig): ConfigError {
  setInputs(bad.inputs ?? {});
  const workspace = makeWorkspace(bad.file === undefined ? {} : { [FILE]: bad.file });
  try {
    loadConfig({ workspace });
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`expected ${bad.name} to be refused`);
}

// Table-driven on purpose: each row is a different bad input with its own expected words, so the rows
// share a shape (the duplicates tool reports them) while no two test the same thing.
const badInputs: BadConfig[] = [
  {
    name: 'a word for a number',
    inputs: { 'max-turns': 'ten' },
    says: ['max-turns: "ten" is not valid (input max-turns): expected a whole number from 1 to 500'],
  },
  {
    name: 'zero turns',
    inputs: { 'max-turns': '0' },
    says: ['max-turns: 0', 'input max-turns', 'a whole number from 1 to 500'],
  },
  {
    name: 'a fraction of a minute',
    inputs: { 'timeout-minutes': '1.5' },
    says: ['timeout-minutes: "1.5"', 'input timeout-minutes', 'a whole number from 1 to 7200'],
  },
  {
    name: 'a dollar sign in the budget',
    inputs: { 'max-cost-usd': '$5' },
    says: ['max-cost-usd: "$5"', 'input max-cost-usd', 'greater than 0 and at most 1000'],
  },
  {
    name: 'a zero budget',
    inputs: { 'max-cost-usd': '0' },
    says: ['max-cost-usd: 0 ', 'input max-cost-usd', 'greater than 0'],
  },
  {
    name: 'an unknown autopilot mode',
    inputs: { autopilot: 'yolo' },
    says: ['autopilot: "yolo"', 'input autopilot', 'one of off, ci, merge'],
  },
  {
    name: 'an unknown phase',
    inputs: { phase: 'deploy' },
    says: ['phase: "deploy"', 'input phase', 'one of auto, gate, route, run'],
  },
  {
    name: 'read as the minimum permission',
    inputs: { 'min-permission': 'read' },
    says: ['min-permission: "read"', 'input min-permission', 'one of write, maintain, admin'],
  },
  {
    name: 'yes for a boolean',
    inputs: { 'draft-pr': 'yes' },
    says: ['draft-pr: "yes"', 'input draft-pr', 'true or false'],
  },
  {
    name: '1 for a boolean',
    inputs: { 'require-isolation': '1' },
    says: ['require-isolation: "1"', 'input require-isolation', 'true or false'],
  },
  {
    name: 'a login with a space in a list',
    inputs: { 'allow-users': 'alice, bob smith' },
    says: ['allow-users: "bob smith"', 'input allow-users', 'GitHub logins separated by commas or newlines'],
  },
  {
    name: 'the GitHub token passed on to the agent',
    inputs: { 'agent-env': 'NODE_OPTIONS\nGITHUB_TOKEN' },
    says: ['agent-env: "GITHUB_TOKEN"', 'input agent-env', 'other than GitHub/runner credentials'],
  },
  {
    name: 'latest as the CLI version',
    inputs: { 'claude-code-version': 'latest' },
    says: ['claude-code-version: "latest"', 'input claude-code-version', 'an exact version such as 2.1.331'],
  },
  {
    name: 'an ftp model endpoint',
    inputs: { 'anthropic-base-url': 'ftp://models.internal' },
    says: ['anthropic-base-url: "ftp://models.internal"', 'input anthropic-base-url', 'an http(s) URL'],
  },
  {
    name: 'a label longer than GitHub allows',
    inputs: { 'trigger-label': 'x'.repeat(51) },
    says: ['trigger-label: "xxxx', 'input trigger-label', 'a label name of 1 to 50 characters'],
  },
  {
    name: 'a bot login with a space',
    inputs: { 'bot-login': 'github actions' },
    says: ['bot-login: "github actions"', 'input bot-login', 'a GitHub login'],
  },
  {
    name: 'an e-mail without @',
    inputs: { 'git-user-email': 'nobody' },
    says: ['git-user-email: "nobody"', 'input git-user-email', 'an e-mail address'],
  },
  {
    name: 'an App id without its key',
    inputs: { 'app-id': '12345' },
    says: ['app-private-key: nothing is not valid', 'whenever app-id is set'],
  },
  {
    name: 'a webhook URL without the secret that signs its bodies',
    inputs: { 'webhook-url': 'https://hooks.example.com/pilot' },
    says: ['webhook-secret: nothing is not valid', 'whenever webhook-url is set', 'signs every webhook body'],
  },
  {
    name: 'a plain-http webhook to another host, without echoing the URL',
    inputs: { 'webhook-url': 'http://hooks.example.com/t0ken', 'webhook-secret': 'x'.repeat(32) },
    says: ['webhook-url: (value hidden)', 'http only for 127.0.0.1/localhost'],
    never: ['t0ken'],
  },
  {
    name: 'an unknown notification event',
    inputs: { 'slack-events': 'task.failed, pr.opened' },
    says: ['slack-events', 'pr.opened', 'task.started, task.succeeded'],
  },
  {
    name: 'a negative daily budget',
    inputs: { 'budget-daily-usd': '-3' },
    says: ['budget-daily-usd: -3', 'input budget-daily-usd', 'a number of US dollars greater than 0'],
  },
  {
    name: 'an App key that is not a PEM key, without echoing it',
    inputs: { 'app-id': '12345', 'app-private-key': 'hunter2-not-a-key' },
    says: ['app-private-key: (value hidden)', 'input app-private-key', 'PEM private key'],
    never: ['hunter2'],
  },
  {
    name: 'runner labels as broken JSON',
    inputs: { 'runners-long': '["self-hosted", pilot]' },
    says: [
      'runners-long: "[\\"self-hosted\\", pilot]"',
      'input runners-long',
      'runner labels as a JSON list',
    ],
  },
  {
    name: 'an empty JSON list of runner labels',
    inputs: { 'runners-default': '[]' },
    says: ['runners-default: []', 'input runners-default', 'runner labels as a JSON list'],
  },
  {
    name: 'a config path outside the repository',
    inputs: { 'config-path': '../outside.yml' },
    says: ['config-path: "../outside.yml"', 'input config-path', 'a path relative to the repository root'],
  },
  {
    name: 'a config path that names a directory',
    inputs: { 'config-path': '.github' },
    file: 'max-turns: 10\n',
    says: ['config-path: ".github"', 'input config-path', 'a readable YAML file'],
  },
  {
    name: 'a chosen config file that does not exist',
    inputs: { 'config-path': 'ops/pilot.yml' },
    says: ['config-path: "ops/pilot.yml"', 'input config-path', 'a file that exists in the repository'],
  },
];

const badFiles: BadConfig[] = [
  {
    name: 'a misspelt key',
    file: 'model: sonnet\nautopilot: ci\nmax_turn: 3\n',
    says: [`unknown key 'max_turn' in ${FILE} line 3; did you mean 'max-turns'?`],
  },
  {
    name: 'an unknown key with nothing close',
    file: 'colour: blue\n',
    says: [`unknown key 'colour' in ${FILE} line 1`, 'expected one of: ', 'max-turns', 'runners'],
  },
  {
    name: 'a string for a number',
    file: '# limits\nmax-turns: "ten"\n',
    says: [`max-turns: "ten" is not valid (${FILE} line 2): expected a whole number from 1 to 500`],
  },
  {
    name: 'too many turns',
    file: 'max-turns: 900\n',
    says: [`max-turns: 900 is not valid (${FILE} line 1)`, 'a whole number from 1 to 500'],
  },
  {
    name: 'an empty value',
    file: 'model: sonnet\nmax-turns:\n',
    says: ['max-turns: null', `${FILE} line 2`, 'a whole number from 1 to 500'],
  },
  {
    name: 'yes for a boolean (YAML 1.2 reads it as text)',
    file: 'draft-pr: yes\n',
    says: ['draft-pr: "yes"', `${FILE} line 1`, 'true or false'],
  },
  {
    name: 'an unknown autopilot mode',
    file: 'autopilot: always\n',
    says: ['autopilot: "always"', `${FILE} line 1`, 'one of off, ci, merge'],
  },
  {
    name: 'a bad login inside a YAML list, pointing at its own line',
    file: 'allow-users:\n  - alice\n  - "not a login"\n',
    says: ['allow-users: "not a login"', `${FILE} line 3`, 'GitHub logins'],
  },
  {
    name: 'a mapping where a list belongs',
    file: 'allowed-bash:\n  npm: test\n',
    says: ['allowed-bash: {"npm":"test"}', `${FILE} line 2`, 'commands (e.g. npm test)'],
  },
  {
    name: 'an unclosed bracket',
    file: 'model: sonnet\nmax-turns: [30\n',
    says: [`${FILE} line 2: not valid YAML "max-turns: [30"`, 'expected a YAML mapping of settings'],
  },
  {
    name: 'a key given twice',
    file: 'max-turns: 40\nmax-turns: 50\n',
    says: [`${FILE} line 2: not valid YAML "max-turns: 50"`, 'unique', 'expected a YAML mapping'],
  },
  {
    name: 'a list instead of a mapping',
    file: '- max-turns\n- 40\n',
    says: ['(file): ["max-turns",40]', `${FILE} line 1`, 'a YAML mapping of settings'],
  },
  {
    name: 'an API key committed to the file, without echoing it',
    file: 'model: sonnet\nanthropic-api-key: sk-ant-api03-secretvalue\n',
    says: ['anthropic-api-key: (value hidden)', `${FILE} line 2`, 'secrets belong in Actions secrets'],
    never: ['sk-ant-api03-secretvalue'],
  },
  {
    name: 'a Slack webhook committed to the file, without echoing it',
    file: 'slack-events: [task.failed]\nslack-webhook-url: https://hooks.slack.com/services/T0/B0/s3cr3t\n',
    says: ['slack-webhook-url: (value hidden)', `${FILE} line 2`, 'secrets belong in Actions secrets'],
    never: ['s3cr3t'],
  },
  {
    name: 'a GitHub token committed to the file',
    file: 'github-token: ghp_abcdefghijklmnop\n',
    says: ['github-token: (value hidden)', `${FILE} line 1`, 'secrets.GITHUB_TOKEN'],
    never: ['ghp_abcdefghijklmnop'],
  },
  {
    name: 'the phase chosen in the file',
    file: 'phase: gate\n',
    says: ['phase: "gate"', `${FILE} line 1`, 'as an input of the step'],
  },
  {
    name: 'a runner input written into the file',
    file: 'runners-long: [self-hosted]\n',
    says: ['runners-long: ["self-hosted"]', `${FILE} line 1`, 'runners: { long: … } in the file'],
  },
  {
    name: 'runners as a single label',
    file: 'runners: ubuntu-latest\n',
    says: ['runners: "ubuntu-latest"', `${FILE} line 1`, 'a mapping with default and/or long'],
  },
  {
    name: 'an empty runner list and a number for a label',
    file: 'runners:\n  default: []\n  long: 5\n',
    says: [
      `runners.default: [] is not valid (${FILE} line 2)`,
      `runners.long: 5 is not valid (${FILE} line 3)`,
      'a runner label or a list of labels',
    ],
  },
  {
    name: 'an unknown runner pool',
    file: 'runners:\n  gpu: [self-hosted, gpu]\n',
    says: [`unknown key 'gpu' under 'runners' in ${FILE} line 2`, 'expected one of: default, long'],
  },
  {
    name: 'a triage level that does not exist',
    file: 'triage:\n  huge:\n    runner: long\n',
    says: [`unknown key 'huge' under 'triage' in ${FILE} line 2`, 'trivial, simple, medium, complex, epic'],
  },
  {
    name: 'a triage level on an unknown runner',
    file: 'triage:\n  epic:\n    runner: fast\n',
    says: [`triage.epic.runner: "fast" is not valid (${FILE} line 3)`, 'one of default, long'],
  },
  {
    name: 'a misspelt key inside a triage level',
    file: 'triage:\n  medium:\n    max_turns: 50\n',
    says: [`unknown key 'max_turns' under 'triage.medium' in ${FILE} line 3; did you mean 'max-turns'?`],
  },
  {
    name: 'a triage level that is not a mapping',
    file: 'triage:\n  simple: 10\n',
    says: ['triage.simple: 10', `${FILE} line 2`, 'a mapping of model, max-turns, timeout-minutes, runner'],
  },
  {
    name: 'a draft flag written as text',
    file: 'pr:\n  draft: "no"\n',
    says: ['pr.draft: "no"', `${FILE} line 2`, 'true or false'],
  },
  {
    name: 'the same setting in two places',
    file: 'draft-pr: true\npr:\n  draft: false\n',
    says: ['pr.draft: false', `${FILE} line 3`, 'draft-pr already sets it'],
  },
  {
    name: 'a negative checkpoint interval',
    file: 'checkpoint-minutes: -5\n',
    says: ['checkpoint-minutes: -5', `${FILE} line 1`, 'a whole number from 1 to 360'],
  },
];

describe('configuration errors', () => {
  beforeEach(clearInputs);
  afterEach(() => {
    clearInputs();
    removeWorkspaces();
  });

  describe.each([
    ['inputs', badInputs],
    ['.github/pilot.yml', badFiles],
  ])('in %s', (_, cases) => {
    it.each(cases)('refuses $name with the key, the value and the accepted form', (bad) => {
      const error = failure(bad);
      for (const fragment of bad.says) expect(error.message).toContain(fragment);
      for (const secret of bad.never ?? []) expect(error.message).not.toContain(secret);
    });
  });

  it('reports every problem at once, from inputs and the file', () => {
    const error = failure({
      name: 'several problems',
      inputs: { 'max-turns': 'many', autopilot: 'sometimes' },
      file: 'timeout-minutes: 0\nmax_cost: 3\n',
      says: [],
    });
    expect(error.problems.map((p) => p.key)).toEqual([
      'max-turns',
      'autopilot',
      'timeout-minutes',
      'max_cost',
    ]);
    expect(error.message).toMatch(/^4 problems in Pilot's configuration:\n- max-turns: "many"/);
    expect(error.message).toContain(`unknown key 'max_cost' in ${FILE} line 2; did you mean 'max-cost-usd'?`);
  });
});
