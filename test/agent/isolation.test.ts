// Units of agent isolation: the environment allowlist, Pilot's settings, how the agent's user is found
// or refused, how a process is started as it, and what a run reports when a layer is missing.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { agentEnv } from '../../src/agent/env.js';
import { makeRunDirs, removeTmp, socketsFit } from '../../src/agent/isolation/dirs.js';
import type { CommandResult, Runner } from '../../src/agent/isolation/exec.js';
import { runIsolated, withIsolation, withTokens } from '../../src/agent/isolation/index.js';
import {
  type AgentUser,
  defaultProbe,
  ensureAgentUser,
  launchAs,
  type UserProbe,
} from '../../src/agent/isolation/user.js';
import { buildSettings } from '../../src/agent/settings.js';

const dirs = { home: '/agent/home', tmp: '/agent/home/tmp', configDir: '/agent/home/.claude' };

describe('the agent environment allowlist', () => {
  const source = {
    PATH: '/usr/bin',
    LANG: 'C.UTF-8',
    RUNNER_TRACKING_ID: 'github_1',
    GITHUB_TOKEN: 'ghs_secret',
    ACTIONS_RUNTIME_TOKEN: 'runtime',
    ACTIONS_RESULTS_URL: 'http://results',
    'INPUT_GITHUB-TOKEN': 'ghs_secret',
    ANTHROPIC_API_KEY: 'sk-ant-real',
    NODE_OPTIONS: '--max-old-space-size=4096',
    SOMETHING_ELSE: 'x',
  };

  it('passes PATH, locale, RUNNER_TRACKING_ID, the agent dirs, the gateway variables and agent-env names only', () => {
    const env = agentEnv({
      dirs,
      model: { ANTHROPIC_BASE_URL: 'http://127.0.0.1:9', ANTHROPIC_API_KEY: 'sk-ant-pilot-run' },
      extra: ['NODE_OPTIONS'],
      source,
    });
    expect(env).toEqual({
      PATH: '/usr/bin',
      LANG: 'C.UTF-8',
      RUNNER_TRACKING_ID: 'github_1',
      NODE_OPTIONS: '--max-old-space-size=4096',
      ANTHROPIC_BASE_URL: 'http://127.0.0.1:9',
      ANTHROPIC_API_KEY: 'sk-ant-pilot-run',
      HOME: '/agent/home',
      TMPDIR: '/agent/home/tmp',
      CLAUDE_CODE_TMPDIR: '/agent/home/tmp',
      CLAUDE_CONFIG_DIR: '/agent/home/.claude',
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      DISABLE_AUTOUPDATER: '1',
    });
  });

  it('never passes credentials even when agent-env names them', () => {
    const env = agentEnv({
      dirs,
      model: {},
      extra: ['GITHUB_TOKEN', 'ACTIONS_RUNTIME_TOKEN', 'INPUT_GITHUB-TOKEN', 'ANTHROPIC_API_KEY'],
      source,
    });
    const values = Object.values(env).join('\n');
    for (const secret of ['ghs_secret', 'runtime', 'sk-ant-real']) expect(values).not.toContain(secret);
  });

  it('never passes AWS or Google credentials, even when agent-env names them; the gateway signs instead', () => {
    const cloud = {
      AWS_ACCESS_KEY_ID: 'ASIAEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'aws-secret-value',
      AWS_SESSION_TOKEN: 'aws-session-value',
      GOOGLE_APPLICATION_CREDENTIALS: '/home/runner/work/gha-creds-1.json',
      CLOUDSDK_AUTH_CREDENTIAL_FILE_OVERRIDE: '/home/runner/work/gha-creds-1.json',
    };
    const env = agentEnv({
      dirs,
      model: { CLAUDE_CODE_USE_BEDROCK: '1', AWS_REGION: 'us-east-1', AWS_SECRET_ACCESS_KEY: 'via-model' },
      extra: Object.keys(cloud),
      source: { ...source, ...cloud },
    });
    const values = Object.values(env).join('\n');
    for (const secret of [...Object.values(cloud), 'via-model']) expect(values).not.toContain(secret);
    expect(env).toMatchObject({ CLAUDE_CODE_USE_BEDROCK: '1', AWS_REGION: 'us-east-1' });
  });

  it('takes only model variables from the model settings', () => {
    const env = agentEnv({
      dirs,
      model: { GITHUB_TOKEN: 'ghs_secret', ANTHROPIC_BASE_URL: 'http://gw' },
      extra: [],
      source: {},
    });
    expect(env.GITHUB_TOKEN).toBeUndefined();
    expect(env.ANTHROPIC_BASE_URL).toBe('http://gw');
  });
});

describe("Pilot's Claude Code settings", () => {
  const settings = buildSettings({
    workspace: '/w/repo/repo',
    runnerTemp: '/w/_temp',
    configDir: '/a/home/.claude',
    allowedHosts: ['127.0.0.1', 'registry.npmjs.org', '127.0.0.1'],
    sandboxAvailable: true,
    runnerDirs: ['/home/runner/runners'],
  }) as {
    permissions: { deny: string[] };
    sandbox: Record<string, unknown> & { network: { allowedDomains: string[] } };
    disableAllHooks: boolean;
  };

  it('denies Read and Edit on /proc, RUNNER_TEMP, the runner and .git/config (absolute paths start with //)', () => {
    for (const target of [
      '//proc/**',
      '//w/_temp/**',
      '//home/runner/runners/**',
      './.git/config',
      '//w/repo/repo/.git/config',
    ]) {
      expect(settings.permissions.deny).toContain(`Read(${target})`);
      expect(settings.permissions.deny).toContain(`Edit(${target})`);
    }
    expect(settings.permissions.deny).toContain('Edit(//a/home/.claude/settings.json)');
  });

  it("denies reading and writing any repository's .git, nested ones too, in the rules and the sandbox", () => {
    for (const target of ['**/.git/**', '//w/repo/repo/**/.git/**']) {
      expect(settings.permissions.deny).toContain(`Read(${target})`);
      expect(settings.permissions.deny).toContain(`Edit(${target})`);
    }
    expect(settings.permissions.deny).toContain('Edit(**/.git)');
    const fs = settings.sandbox.filesystem as { denyWrite: string[] };
    expect(fs.denyWrite).toEqual(
      expect.arrayContaining(['/w/repo/repo/.git', '/w/repo/repo/**/.git', '/w/repo/repo/**/.git/**']),
    );
  });

  it('turns the Bash sandbox on with no unsandboxed escape and a network allowlist', () => {
    expect(settings.sandbox).toMatchObject({
      enabled: true,
      allowUnsandboxedCommands: false,
      failIfUnavailable: true,
    });
    expect(settings.sandbox.network.allowedDomains).toEqual(['127.0.0.1', 'registry.npmjs.org']);
    expect(settings.disableAllHooks).toBe(true);
  });

  it('does not make the CLI fail where the sandbox was found missing (the layer is reported instead)', () => {
    const s = buildSettings({
      workspace: '/w',
      runnerTemp: '/t',
      configDir: '/c',
      allowedHosts: [],
      sandboxAvailable: false,
    });
    expect((s.sandbox as { failIfUnavailable: boolean }).failIfUnavailable).toBe(false);
  });
});

type Answers = Record<string, Partial<CommandResult>>;

/** A fake system: answers by "command arg0 arg1…", everything else fails. */
function fakeProbe(euid: number, answers: Answers, env: NodeJS.ProcessEnv = {}) {
  const calls: string[] = [];
  const run: Runner = async (command, args) => {
    const line = [command, ...args].join(' ');
    calls.push(line);
    const hit = answers[line];
    return {
      code: hit?.code ?? (hit ? 0 : 1),
      stdout: hit?.stdout ?? '',
      stderr: hit?.stderr ?? (hit ? '' : 'no'),
    };
  };
  const probe: UserProbe = { euid, env, run };
  return { probe, calls };
}

describe("the agent's user", () => {
  const passwd = { stdout: 'pilot-agent:x:1002:1002::/home/pilot-agent:/usr/sbin/nologin\n' };

  it('uses the runner image user through sudo -n -u', async () => {
    const { probe } = fakeProbe(
      1001,
      {
        'getent passwd pilot-agent': passwd,
        'sudo -n -u pilot-agent true': {},
      },
      { PILOT_AGENT_USER: 'pilot-agent' },
    );
    const found = await ensureAgentUser(probe, 'none');
    expect(found).toEqual({
      ok: true,
      created: false,
      user: { name: 'pilot-agent', uid: 1002, gid: 1002, home: '/home/pilot-agent', via: 'sudo' },
    });
  });

  it('creates the user with sudo useradd on a hosted runner', async () => {
    let created = false;
    const probe: UserProbe = {
      euid: 1001,
      env: {},
      run: async (command, args) => {
        const line = [command, ...args].join(' ');
        if (line.startsWith('sudo -n useradd')) created = true;
        const known = line === 'getent passwd pilot-agent' && created;
        const ok = known || line.startsWith('sudo -n useradd') || line === 'sudo -n -u pilot-agent true';
        return { code: ok ? 0 : 2, stdout: known ? passwd.stdout : '', stderr: '' };
      },
    };
    const found = await ensureAgentUser(probe, 'sudo');
    expect(found).toMatchObject({ ok: true, created: true, user: { via: 'sudo', uid: 1002 } });
  });

  it('as root creates the user directly and starts it with setuid', async () => {
    let created = false;
    const probe: UserProbe = {
      euid: 0,
      env: {},
      run: async (command) => {
        if (command === 'useradd') created = true;
        const known = command === 'getent' && created;
        return {
          code: known || command === 'useradd' ? 0 : 2,
          stdout: known ? passwd.stdout : '',
          stderr: '',
        };
      },
    };
    expect(await ensureAgentUser(probe, 'root')).toMatchObject({
      ok: true,
      created: true,
      user: { via: 'setuid' },
    });
  });

  it('says why when the user cannot exist: no root and no passwordless sudo', async () => {
    const { probe } = fakeProbe(1001, {});
    const found = await ensureAgentUser(probe, 'none');
    expect(found).toEqual({ ok: false, reason: expect.stringContaining('cannot create it') });
  });

  it("refuses a user with Pilot's own uid or root's", async () => {
    const { probe } = fakeProbe(
      1001,
      { 'getent passwd root': { stdout: 'root:x:0:0:root:/root:/bin/bash\n' } },
      { PILOT_AGENT_USER: 'root' },
    );
    expect(await ensureAgentUser(probe, 'none')).toEqual({
      ok: false,
      reason: expect.stringContaining('uid 0'),
    });
  });
});

describe('starting a process as the agent', () => {
  const user: AgentUser = { name: 'pilot-agent', uid: 1002, gid: 1002, home: '/h', via: 'sudo' };
  const env = {
    PATH: '/usr/bin',
    HOME: '/a/home',
    ANTHROPIC_API_KEY: 'sk-ant-pilot-x',
    CLAUDE_CODE_OAUTH_TOKEN: 'oauth',
  };

  it('keeps secrets off the command line when going through sudo', () => {
    const launch = launchAs(user, '/opt/claude', ['-p', 'hi'], env);
    expect(launch.command).toBe('sudo');
    expect(launch.args.join(' ')).not.toContain('sk-ant-pilot-x');
    expect(launch.args.join(' ')).not.toContain('oauth');
    expect(launch.args).toContain('--preserve-env=ANTHROPIC_API_KEY,CLAUDE_CODE_OAUTH_TOKEN');
    expect(launch.args.slice(0, 3)).toEqual(['-n', '-u', 'pilot-agent']);
    expect(launch.args).toContain('PATH=/usr/bin'); // secure_path would replace it otherwise
    expect(launch.args.slice(-3)).toEqual(['/opt/claude', '-p', 'hi']);
  });

  it('switches uid and gid directly when Pilot is root', () => {
    const launch = launchAs({ ...user, via: 'setuid' }, '/opt/claude', ['-p'], env);
    expect(launch).toEqual({ command: '/opt/claude', args: ['-p'], uid: 1002, gid: 1002, env });
  });
});

describe('reporting and require-isolation', () => {
  let temp: string | undefined;
  afterEach(() => {
    if (temp) rmSync(temp, { recursive: true, force: true });
    temp = undefined;
  });

  it('names each missing layer and why in the summary row and the comment body', () => {
    const view = withIsolation(
      { headline: 'x', details: [['Outcome', 'success']] as Array<[string, string]>, body: 'Done.' },
      {
        layers: [
          { name: 'model gateway', ok: true, detail: 'on' },
          { name: 'sandbox', ok: false, detail: 'bwrap and socat not installed' },
        ],
      },
    );
    expect(view.details).toContainEqual(['Isolation', 'missing: sandbox']);
    expect(view.body).toContain('Done.');
    expect(view.body).toContain('**sandbox**: bwrap and socat not installed');
  });

  it('with require-isolation, a missing layer fails the run before the agent starts', async () => {
    temp = mkdtempSync(path.join(tmpdir(), 'pilot-iso-'));
    const runnerTemp = path.join(temp, 'work', '_temp');
    const { probe } = fakeProbe(1001, {});
    const report = { layers: [] };
    let started = false;
    const result = await runIsolated(
      {
        workspace: path.join(temp, 'work', 'r', 'r'),
        runnerTemp,
        claudePath: '/bin/true',
        model: { maxCostUsd: 1 },
        agentEnvNames: [],
        requireIsolation: true,
        report,
        probe,
      },
      async () => {
        started = true;
        throw new Error('must not start');
      },
    );
    expect(started).toBe(false);
    expect(result.ok).toBe(false);
    expect(result.errorText).toMatch(/require-isolation.*separate user.*cannot create it/);
    expect(result.errorText).toContain('model gateway');
  });
});

describe('Bedrock and Vertex from the job environment', () => {
  let temp: string | undefined;
  afterEach(() => {
    if (temp) rmSync(temp, { recursive: true, force: true });
    temp = undefined;
  });

  async function attempt(model: Parameters<typeof runIsolated>[0]['model'], source: NodeJS.ProcessEnv) {
    temp = mkdtempSync(path.join(tmpdir(), 'pilot-iso-'));
    const { probe } = fakeProbe(1001, {});
    const report: { layers: never[]; provider?: string } = { layers: [] };
    let started = false;
    const lines: string[] = [];
    const result = await runIsolated(
      {
        workspace: path.join(temp, 'work', 'r', 'r'),
        runnerTemp: path.join(temp, 'work', '_temp'),
        claudePath: '/bin/true',
        model,
        agentEnvNames: [],
        // Stops before the agent: what is checked here is the gateway and what the run reports.
        requireIsolation: true,
        report,
        probe,
        source,
        log: (line) => lines.push(line),
      },
      async () => {
        started = true;
        throw new Error('must not start');
      },
    );
    return { result, report, started, lines };
  }

  it('fails a Bedrock run without AWS credentials with the step to add, before the agent starts', async () => {
    const { result, started, lines } = await attempt(
      { provider: 'bedrock', maxCostUsd: 1 },
      { AWS_REGION: 'us-east-1', PATH: '/usr/bin' },
    );
    expect(started).toBe(false);
    expect(result.ok).toBe(false);
    expect(result.errorText).toContain('run aws-actions/configure-aws-credentials');
    expect(lines.join('\n')).toContain('needs AWS credentials');
  });

  it('names what a Vertex run lacks: the region and the project', async () => {
    const { result } = await attempt({ provider: 'vertex', maxCostUsd: 1 }, { PATH: '/usr/bin' });
    expect(result.errorText).toContain('a region (model-region, or CLOUD_ML_REGION)');
    expect(result.errorText).toContain('a project (vertex-project-id');
  });

  it('names the provider and region for the summary when the job holds AWS credentials', async () => {
    const { report } = await attempt(
      { provider: 'bedrock', region: 'eu-west-1', maxCostUsd: 1 },
      { AWS_ACCESS_KEY_ID: 'ASIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret-value', PATH: '/usr/bin' },
    );
    expect(report.provider).toBe('Amazon Bedrock (eu-west-1)');
    const view = withIsolation({ headline: 'x', details: [] as Array<[string, string]> }, report);
    expect(view.details).toContainEqual(['Model provider', 'Amazon Bedrock (eu-west-1)']);
  });
});

describe("the agent's TMPDIR", () => {
  it('is short enough for the Bash sandbox proxy sockets, wherever RUNNER_TEMP is', async () => {
    const deep = mkdtempSync(path.join(tmpdir(), `pilot-${'deep-runner-path-'.repeat(4)}`));
    const probe = { ...defaultProbe(), run: async () => ({ code: 0, stdout: '', stderr: '' }) };
    const tools = { probe, privilege: 'none' as const, acl: false };
    try {
      const made = await makeRunDirs(path.join(deep, 'work', '_pilot_agent'), undefined, tools);
      expect(socketsFit(made.tmp)).toBe(true);
      // The home directory under a long RUNNER_TEMP parent would not have fitted (the bug behind
      // "Failed to create bridge sockets after 5 attempts").
      expect(socketsFit(path.join(made.home, 'tmp'))).toBe(false);
      await removeTmp(made, tools);
      expect(existsSync(made.tmp)).toBe(false);
    } finally {
      rmSync(deep, { recursive: true, force: true });
    }
  });
});

describe('token counts', () => {
  const result = {
    ok: true,
    exitCode: 0,
    stopReason: 'completed' as const,
    numTurns: 1,
    costUsd: 0,
    sessionCostUsd: 0,
    resultText: '',
    permissionDenials: [],
    durationMs: 1,
    // What an agent could claim about itself: never what Pilot reports.
    tokens: { input: 1, output: 1, cacheRead: 0, cacheWrite: 0 },
  };
  const usage = {
    inputTokens: 1200,
    outputTokens: 340,
    cacheReadTokens: 5000,
    cacheWriteTokens: 60,
    costUsd: 0.1,
    unmeteredUsd: 0,
    requests: 2,
    refused: 0,
  };

  it("are the gateway's counts, whatever the agent's result says", () => {
    expect(withTokens(result, { usage: () => usage }).tokens).toEqual({
      input: 1200,
      output: 340,
      cacheRead: 5000,
      cacheWrite: 60,
    });
  });

  it('are absent (not zero, not the agent’s) where no gateway metered the run', () => {
    expect(withTokens(result, undefined).tokens).toBeUndefined();
  });
});
