import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { configTable, describeConfig } from '../../src/config/describe.js';
import { type Config, loadConfig } from '../../src/config/load.js';
import { NOTIFY_EVENTS } from '../../src/config/schema.js';
import { clearInputs, makeWorkspace, removeWorkspaces, setInputs } from './inputs-env.js';

const FILE = '.github/pilot.yml';

function load(files: Record<string, string> = {}, inputs: Record<string, string> = {}): Config {
  setInputs(inputs);
  return loadConfig({ workspace: makeWorkspace(files) });
}

/** What the runner writes to stdout for core.setSecret: the values it will mask from then on. */
function maskedValues(run: () => void): string[] {
  const written: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  try {
    run();
  } finally {
    spy.mockRestore();
  }
  return written.flatMap((text) => [...text.matchAll(/::add-mask::(.*)/g)].map((m) => m[1]));
}

describe('loadConfig', () => {
  beforeEach(clearInputs);
  afterEach(() => {
    clearInputs();
    removeWorkspaces();
    vi.unstubAllEnvs();
  });

  it('gives the documented defaults when there are no inputs and no file', () => {
    const config = load();
    expect(config).toEqual({
      sources: expect.any(Object),
      githubToken: undefined,
      appId: undefined,
      appPrivateKey: undefined,
      anthropicApiKey: undefined,
      claudeCodeOauthToken: undefined,
      pilotStateKey: undefined,
      pilotStateKeyPrevious: undefined,
      anthropicBaseUrl: undefined,
      modelProvider: 'anthropic',
      modelRegion: undefined,
      vertexProjectId: undefined,
      pushgatewayUrl: undefined,
      pushgatewayUsername: undefined,
      pushgatewayPassword: undefined,
      pushgatewayToken: undefined,
      triggerLabel: 'pilot',
      botLogin: 'github-actions[bot]',
      model: undefined,
      maxTurns: undefined,
      timeoutMinutes: undefined,
      maxCostUsd: 5,
      claudePath: undefined,
      claudeCodeVersion: '2.1.331',
      autopilot: 'ci',
      phase: 'auto',
      configPath: FILE,
      minPermission: 'write',
      requireIsolation: false,
      allowUsers: [],
      denyUsers: [],
      allowBots: [],
      protectedPaths: [],
      allowedBash: [],
      allowedHosts: [],
      agentEnv: [],
      checkpointMinutes: 10,
      maxGateRounds: 2,
      selfReview: false,
      draftPr: false,
      prLabels: ['pilot'],
      gitUserName: 'github-actions[bot]',
      gitUserEmail: '41898282+github-actions[bot]@users.noreply.github.com',
      maxCiFixes: 3,
      maxReviewRounds: 3,
      memoryTokens: 1500,
      maxSubIssues: 10,
      epicParallel: 2,
      epicApproval: 'maintainer',
      mergeMethod: 'squash',
      maxMergesPerHour: 10,
      circuitBreakerFailures: 3,
      deleteBranch: true,
      budgetDailyUsd: undefined,
      budgetMonthlyUsd: undefined,
      slackWebhookUrl: undefined,
      slackEvents: [...NOTIFY_EVENTS],
      discordWebhookUrl: undefined,
      discordEvents: [...NOTIFY_EVENTS],
      telegramBotToken: undefined,
      telegramChatId: undefined,
      telegramEvents: [...NOTIFY_EVENTS],
      webhookUrl: undefined,
      webhookSecret: undefined,
      webhookEvents: [...NOTIFY_EVENTS],
      jiraUrl: undefined,
      jiraUser: undefined,
      jiraToken: undefined,
      linearToken: undefined,
      linearApiUrl: 'https://api.linear.app/graphql',
      linearLabel: 'pilot',
      intent: undefined,
      dryRun: false,
      runners: { default: ['ubuntu-latest'], long: undefined },
      triage: { trivial: {}, simple: {}, medium: {}, complex: {}, epic: {} },
      gates: [],
      environments: [],
      configFile: undefined,
    } satisfies Config);
  });

  it('treats an empty file as all defaults', () => {
    const config = load({ [FILE]: '# nothing yet\n' });
    expect(config.maxTurns).toBeUndefined();
    expect(config.configFile).toBe(FILE);
  });

  it('reads every kind of setting from .github/pilot.yml, typed', () => {
    const config = load({
      [FILE]: [
        'trigger-label: ai',
        'model: opus',
        'max-turns: 45',
        'timeout-minutes: 90',
        'max-cost-usd: 2.5',
        'budget-daily-usd: 20',
        'budget-monthly-usd: 300',
        'webhook-events: [budget.warning, budget.exceeded]',
        'autopilot: merge',
        'min-permission: maintain',
        'require-isolation: true',
        'allow-users: [alice, bob]',
        'allow-bots: renovate[bot]',
        'allowed-bash: npm test, npm run lint',
        'agent-env:',
        '  - NODE_OPTIONS',
        'protected-paths: ["infra/**", "*.tf"]',
        'max-ci-fixes: 0',
        'runners:',
        '  default: ubuntu-24.04',
        '  long: [self-hosted, linux, big]',
        'triage:',
        '  trivial: { model: haiku, max-turns: 10 }',
        '  epic:',
        '    runner: long',
        '    timeout-minutes: 300',
        'pr:',
        '  draft: true',
        '  labels: [pilot, automated]',
      ].join('\n'),
    });
    expect(config).toMatchObject({
      triggerLabel: 'ai',
      model: 'opus',
      maxTurns: 45,
      timeoutMinutes: 90,
      maxCostUsd: 2.5,
      budgetDailyUsd: 20,
      budgetMonthlyUsd: 300,
      webhookEvents: ['budget.warning', 'budget.exceeded'],
      autopilot: 'merge',
      minPermission: 'maintain',
      requireIsolation: true,
      allowUsers: ['alice', 'bob'],
      allowBots: ['renovate[bot]'],
      allowedBash: ['npm test', 'npm run lint'],
      agentEnv: ['NODE_OPTIONS'],
      protectedPaths: ['infra/**', '*.tf'],
      maxCiFixes: 0,
      draftPr: true,
      prLabels: ['pilot', 'automated'],
      runners: { default: ['ubuntu-24.04'], long: ['self-hosted', 'linux', 'big'] },
      triage: {
        trivial: { model: 'haiku', maxTurns: 10 },
        simple: {},
        medium: {},
        complex: {},
        epic: { runner: 'long', timeoutMinutes: 300 },
      },
      configFile: FILE,
    });
  });

  it('lets inputs the user set win over the file', () => {
    const config = load(
      { [FILE]: 'max-turns: 45\nautopilot: merge\nallowed-bash: [make]\ndraft-pr: false\n' },
      { 'max-turns': '12', autopilot: 'off', 'allowed-bash': 'npm test', 'draft-pr': 'true' },
    );
    expect(config).toMatchObject({
      maxTurns: 12,
      autopilot: 'off',
      allowedBash: ['npm test'],
      draftPr: true,
    });
  });

  it('keeps the file value when an input only carries the default the runner filled in from action.yml', () => {
    const runnerDefaults = { autopilot: 'ci', 'pr-labels': 'pilot', 'draft-pr': 'false' };
    const config = load(
      { [FILE]: 'max-turns: 45\nautopilot: off\npr-labels: [bot-made]\ndraft-pr: true\n' },
      runnerDefaults,
    );
    expect(config).toMatchObject({ maxTurns: 45, autopilot: 'off', prLabels: ['bot-made'], draftPr: true });
  });

  it('tells a max-turns or timeout-minutes given as 30 and 60 (the old defaults) from one not given', () => {
    const given = load(
      { [FILE]: 'max-turns: 45\ntimeout-minutes: 90\n' },
      { 'max-turns': '30', 'timeout-minutes': '60' },
    );
    expect(given).toMatchObject({ maxTurns: 30, timeoutMinutes: 60 });
    const notGiven = load({}, { 'max-turns': '', 'timeout-minutes': '' });
    expect(notGiven).toMatchObject({ maxTurns: undefined, timeoutMinutes: undefined });
  });

  it('splits list inputs on commas and newlines, dropping blanks', () => {
    const config = load(
      {},
      {
        'allowed-bash': 'npm test, npm run lint\nnpm run build\n\n',
        'deny-users': 'mallory,\n eve ',
        'protected-paths': 'infra/**\n*.tf',
      },
    );
    expect(config.allowedBash).toEqual(['npm test', 'npm run lint', 'npm run build']);
    expect(config.denyUsers).toEqual(['mallory', 'eve']);
    expect(config.protectedPaths).toEqual(['infra/**', '*.tf']);
  });

  it('reads numbers and booleans from inputs as numbers and booleans', () => {
    const config = load(
      {},
      { 'max-cost-usd': '0.75', 'timeout-minutes': '120', 'require-isolation': 'TRUE', 'draft-pr': 'True' },
    );
    expect(config.maxCostUsd).toBe(0.75);
    expect(config.timeoutMinutes).toBe(120);
    expect(config.requireIsolation).toBe(true);
    expect(config.draftPr).toBe(true);
  });

  it('takes runner labels from inputs as a JSON list or a comma list, over the file', () => {
    const config = load(
      { [FILE]: 'runners:\n  default: ubuntu-22.04\n  long: [self-hosted, old]\n' },
      { 'runners-default': 'ubuntu-24.04, linux', 'runners-long': '["self-hosted", "pilot", "gpu"]' },
    );
    expect(config.runners).toEqual({
      default: ['ubuntu-24.04', 'linux'],
      long: ['self-hosted', 'pilot', 'gpu'],
    });
  });

  it('reads the file named by config-path', () => {
    const config = load(
      { 'ops/pilot.yaml': 'max-turns: 7\n', [FILE]: 'max-turns: 99\n' },
      { 'config-path': 'ops/pilot.yaml' },
    );
    expect(config.maxTurns).toBe(7);
    expect(config.configFile).toBe('ops/pilot.yaml');
  });

  it('finds the file under GITHUB_WORKSPACE when no workspace is given', () => {
    vi.stubEnv('GITHUB_WORKSPACE', makeWorkspace({ [FILE]: 'trigger-label: robot\n' }));
    expect(loadConfig().triggerLabel).toBe('robot');
  });

  it('takes a GitHub App from inputs together with its key', () => {
    const key = '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAabc123\n-----END RSA PRIVATE KEY-----';
    const config = load({ [FILE]: 'app-id: 123456\n' }, { 'app-private-key': key });
    expect(config.appId).toBe('123456');
    expect(config.appPrivateKey).toBe(key);
  });

  it('takes the Pushgateway from inputs, masks its credentials, and refuses half or mixed credentials', () => {
    const url = 'https://push.example.com';
    setInputs({
      'pushgateway-url': url,
      'pushgateway-username': 'ci',
      'pushgateway-password': 'pw-s3cret-1',
    });
    const masked = maskedValues(() => loadConfig({ workspace: makeWorkspace() }));
    expect(masked).toEqual(expect.arrayContaining(['ci', 'pw-s3cret-1']));
    clearInputs();
    expect(load({}, { 'pushgateway-url': url, 'pushgateway-token': 'tok-9' }).pushgatewayToken).toBe('tok-9');
    clearInputs();
    expect(() => load({}, { 'pushgateway-username': 'ci' })).toThrow(
      /pushgateway-password.*whenever pushgateway-username/,
    );
    clearInputs();
    expect(() => load({}, { 'pushgateway-token': 't', 'pushgateway-password': 'p' })).toThrow(/not both/);
    clearInputs();
    // A URL carrying credentials would print them wherever the URL is logged.
    expect(() => load({}, { 'pushgateway-url': 'https://ci:pw@push.example.com' })).toThrow(
      /pushgateway-url.*without credentials/,
    );
  });

  it('registers every secret input with the runner so logs mask it, a PEM key line by line', () => {
    const key = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEF\n-----END PRIVATE KEY-----';
    setInputs({
      'github-token': 'ghs_installationtoken123',
      'anthropic-api-key': 'sk-ant-api03-abcdef',
      'claude-code-oauth-token': 'sk-ant-oat01-xyz123',
      'app-id': '42',
      'app-private-key': key,
      model: 'sonnet',
    });
    const workspace = makeWorkspace();
    const masked = maskedValues(() => loadConfig({ workspace }));
    expect(masked).toEqual(
      expect.arrayContaining([
        'ghs_installationtoken123',
        'sk-ant-api03-abcdef',
        'sk-ant-oat01-xyz123',
        'MIIEvQIBADANBgkqhkiG9w0BAQEF',
      ]),
    );
    expect(masked.join('\n')).not.toContain('sonnet');
  });

  it("hands out copies of default lists, so one caller cannot change another caller's defaults", () => {
    const first = load();
    first.prLabels.push('changed');
    first.runners.default.push('changed');
    const second = load();
    expect(second.prLabels).toEqual(['pilot']);
    expect(second.runners.default).toEqual(['ubuntu-latest']);
  });
});

describe('describeConfig', () => {
  beforeEach(clearInputs);
  afterEach(() => {
    clearInputs();
    removeWorkspaces();
  });

  it('shows the effective settings by their user-facing names, secrets only as set or not set', () => {
    const config = load(
      { [FILE]: 'max-turns: 40\ntriage:\n  epic: { runner: long }\n' },
      { 'anthropic-api-key': 'sk-ant-api03-visible?', 'allowed-bash': 'npm test,npm run lint' },
    );
    const lines = Object.fromEntries(describeConfig(config).map((line) => [line.name, line.value]));
    expect(lines).toMatchObject({
      'max-turns': '40',
      'allowed-bash': 'npm test, npm run lint',
      'anthropic-api-key': 'set',
      'claude-code-oauth-token': 'not set',
      model: '(not set)',
      'allow-users': '(none)',
      'runners.long': '(not set: every task runs on runners.default)',
      'timeout-minutes': '(by triage, per size)',
      'triage.epic': '{"runner":"long"}',
    });
    expect(JSON.stringify(lines)).not.toContain('sk-ant');
  });

  it('says where each value came from (input, file, default) for /pilot help, never a secret', () => {
    const config = load(
      { [FILE]: 'max-turns: 40\nmodel: claude-from-file\n' },
      { 'anthropic-api-key': 'sk-ant-api03-visible?', model: 'claude-from-input' },
    );
    const sources = Object.fromEntries(describeConfig(config).map((line) => [line.name, line.source]));
    expect(sources).toMatchObject({ model: 'input', 'max-turns': 'file', 'trigger-label': 'default' });
    const table = configTable(config);
    expect(table).toContain('| `model` | `claude-from-input` | input |');
    expect(table).toMatch(/\| `max-turns` \| `40` \| file \(.*pilot\.yml\) \|/);
    expect(table).toContain('| `anthropic-api-key` | `set` | input |');
    expect(table).not.toContain('sk-ant');
  });

  it('keeps a hostile value inside its table cell', () => {
    // Values are validated on the way in; the table does not rely on it.
    const config = { ...load(), model: 'x` | injected | `y\nnext' };
    const row = configTable(config)
      .split('\n')
      .find((line) => line.startsWith('| `model`'));
    expect(row?.split('|')).toHaveLength(5);
  });
});
