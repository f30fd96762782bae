// Every setting Pilot understands, spelled once: its input/file name, its zod schema, its default and the
// words an error uses to describe what would have been accepted. inputs.ts, file.ts, action.yml and the
// README are all checked against this table.
import { z } from 'zod';

export const TRIAGE_LEVELS = ['trivial', 'simple', 'medium', 'complex', 'epic'] as const;
export type TriageLevel = (typeof TRIAGE_LEVELS)[number];
export const AUTOPILOT_MODES = ['off', 'ci', 'merge'] as const;
export type AutopilotMode = (typeof AUTOPILOT_MODES)[number];
export const PHASES = ['auto', 'gate', 'route', 'run', 'ops'] as const;
export type Phase = (typeof PHASES)[number];
export const PERMISSION_LEVELS = ['write', 'maintain', 'admin'] as const;
/** The values of `min-permission` (GitHub's own levels are src/auth/authorize.ts's PermissionLevel). */
export type MinPermission = (typeof PERMISSION_LEVELS)[number];
export const RUNNER_CHOICES = ['default', 'long'] as const;
export type RunnerChoice = (typeof RUNNER_CHOICES)[number];

/** The Claude Code CLI version Pilot is tested with; the installer and the runner image pin the same one. */
export const DEFAULT_CLAUDE_CODE_VERSION = '2.1.331';
/**
 * Every task runs on `runners.default` unless `runners.long` is configured: a default that names
 * self-hosted labels would leave a hosted-only repository's big tasks waiting for a runner forever.
 */
export const DEFAULT_RUNNERS = { default: ['ubuntu-latest'] } as const;

/** How a raw input string (or a file value) is turned into the typed value before validation. */
export type Kind = 'string' | 'int' | 'number' | 'boolean' | 'list' | 'labels';

export interface Setting<S extends z.ZodType = z.ZodType> {
  /** Input name and `.github/pilot.yml` key (kebab-case, a contract with users). */
  name: string;
  kind: Kind;
  schema: S;
  fallback: z.output<S>;
  /** Default as action.yml and the README show it, when it is not simply the fallback written out. */
  shownDefault?: string;
  /** What would have been accepted, in words; errors end with it. */
  accepted: string;
  /** Read from inputs only, registered with core.setSecret, refused in the file and never echoed. */
  secret?: boolean;
  /** Per-step settings: meaningful as an input only (the file cannot choose its own path or the step's phase). */
  inputOnly?: boolean;
  /** Where the file says the same thing, when it does (named in the error for this key in the file). */
  fileEquivalent?: string;
}

function setting<S extends z.ZodType>(spec: Setting<S>): Setting<S> {
  return spec;
}

// --- value schemas -------------------------------------------------------------------------------------

const wholeNumber = (min: number, max: number) => z.number().int().min(min).max(max);
const wholeNumberText = (min: number, max: number) => `a whole number from ${min} to ${max}`;

/** GitHub logins: alphanumerics and single hyphens, at most 39 characters; apps end in `[bot]`. */
const LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?$/;
export const loginSchema = z.string().regex(LOGIN);
/** GitHub caps label names at 50 characters. */
export const labelSchema = z.string().trim().min(1).max(50);
const MODEL = /^[A-Za-z0-9][A-Za-z0-9._:@/[\]-]*$/;
export const modelSchema = z.string().regex(MODEL).max(200);
/**
 * A host the sandbox's proxy may let commands reach: a name (`*.` wildcard allowed) or an IPv4
 * address, with an optional `:port` that limits the entry to that port (Claude Code's
 * `sandbox.network.allowedDomains` syntax).
 */
const HOST = /^(?:\*\.)?[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252})(?::[0-9]{1,5})?$/;
export const hostSchema = z.string().trim().regex(HOST);
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/**
 * Names the agent must never receive: GitHub and runner credentials, Pilot's own inputs, model secrets,
 * and the cloud credentials the model gateway signs Bedrock and Vertex requests with.
 */
const FORBIDDEN_AGENT_ENV =
  /^(GITHUB_TOKEN|GH_TOKEN|GH_ENTERPRISE_TOKEN|ACTIONS_.*|INPUT_.*|ANTHROPIC_API_KEY|ANTHROPIC_AUTH_TOKEN|CLAUDE_CODE_OAUTH_TOKEN|AWS_.*|GOOGLE_.*|CLOUDSDK_.*|GCLOUD_.*|GCP_.*)$/i;
const agentEnvName = z
  .string()
  .regex(ENV_NAME)
  .refine((name) => !FORBIDDEN_AGENT_ENV.test(name));
const runnerLabel = z.string().regex(/^[^\s,]{1,100}$/);
export const runnerLabelsSchema = z.union([runnerLabel, z.array(runnerLabel).min(1)]);
const semver = z.string().regex(/^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/);
const email = z.string().regex(/^[^\s@]+@[^\s@]+$/);
const optionalText = z.string().optional();
const httpUrl = z
  .string()
  .refine((text) => /^https?:\/\/[^\s]+$/.test(text) && URL.canParse(text))
  .optional();
const pathPattern = z.string().trim().min(1);

const RUNNERS_INPUT_ACCEPTED =
  'runner labels as a JSON list (["self-hosted", "pilot"]) or separated by commas or newlines';

const enumText = (values: readonly string[]) => `one of ${values.join(', ')}`;

/** Where the model is served from (`model-provider`); the gateway stands in front of each. */
export const PROVIDER_CHOICES = ['anthropic', 'bedrock', 'vertex'] as const;
export type ProviderChoice = (typeof PROVIDER_CHOICES)[number];
/** AWS and Google Cloud region names: they go into URLs and signatures. */
const cloudRegion = z
  .string()
  .regex(/^[a-z][a-z0-9-]{1,30}$/)
  .optional();

export const NOTIFY_EVENTS = [
  'task.started',
  'task.succeeded',
  'task.failed',
  'pr.created',
  'pr.merged',
  'budget.warning',
  'budget.exceeded',
  'needs_human',
  // Ops mode (issue 22): an incident opened, escalated to a higher tier, remediated by a playbook, healed.
  'ops.incident',
  'ops.escalated',
  'ops.remediated',
  'ops.healed',
  'autopilot.paused',
] as const;
export type NotifyEvent = (typeof NOTIFY_EVENTS)[number];

const budgetUsd = z.number().positive().max(1_000_000).optional();
const BUDGET_ACCEPTED = 'a number of US dollars greater than 0 (e.g. 50 or 12.50); empty for no budget';

/** A webhook URL: a secret (it is the credential), https, or http to loopback (local relays, tests). */
const webhookUrl = z
  .string()
  .refine((text) => {
    if (!URL.canParse(text)) return false;
    const url = new URL(text);
    const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
    return url.protocol === 'https:' || (url.protocol === 'http:' && loopback);
  })
  .optional();

function notifyUrl(name: string, accepted: string) {
  return setting({ name, kind: 'string', schema: webhookUrl, fallback: undefined, accepted, secret: true });
}

function notifyEvents(name: string) {
  return setting({
    name,
    kind: 'list',
    schema: z.array(z.enum(NOTIFY_EVENTS)),
    fallback: [...NOTIFY_EVENTS],
    accepted: `event names separated by commas or newlines: ${NOTIFY_EVENTS.join(', ')}`,
  });
}

// --- the table -----------------------------------------------------------------------------------------

export const SETTINGS = {
  githubToken: setting({
    name: 'github-token',
    kind: 'string',
    schema: optionalText,
    fallback: undefined,
    shownDefault: '${{ github.token }}',
    accepted: 'a GitHub token',
    secret: true,
  }),
  appId: setting({
    name: 'app-id',
    kind: 'string',
    schema: z
      .string()
      .regex(/^(?:\d+|Iv[0-9A-Za-z._-]+)$/)
      .optional(),
    fallback: undefined,
    accepted: 'a GitHub App ID (digits) or client ID (Iv…)',
  }),
  appPrivateKey: setting({
    name: 'app-private-key',
    kind: 'string',
    schema: z
      .string()
      .regex(/-----BEGIN [A-Z ]*PRIVATE KEY-----/)
      .optional(),
    fallback: undefined,
    accepted: "the App's PEM private key (-----BEGIN … PRIVATE KEY-----)",
    secret: true,
  }),
  anthropicApiKey: setting({
    name: 'anthropic-api-key',
    kind: 'string',
    schema: optionalText,
    fallback: undefined,
    accepted: 'an Anthropic API key',
    secret: true,
  }),
  claudeCodeOauthToken: setting({
    name: 'claude-code-oauth-token',
    kind: 'string',
    schema: optionalText,
    fallback: undefined,
    accepted: 'a Claude Code OAuth token',
    secret: true,
  }),
  pilotStateKey: setting({
    name: 'pilot-state-key',
    kind: 'string',
    schema: optionalText,
    fallback: undefined,
    accepted: 'a random secret of at least 32 characters (openssl rand -hex 32)',
    secret: true,
  }),
  pilotStateKeyPrevious: setting({
    name: 'pilot-state-key-previous',
    kind: 'string',
    schema: optionalText,
    fallback: undefined,
    accepted: 'the previous pilot-state-key, while rotating it',
    secret: true,
  }),
  anthropicBaseUrl: setting({
    name: 'anthropic-base-url',
    kind: 'string',
    schema: httpUrl,
    fallback: undefined,
    accepted: 'an http(s) URL such as https://api.anthropic.com',
  }),
  modelProvider: setting({
    name: 'model-provider',
    kind: 'string',
    schema: z.enum(PROVIDER_CHOICES),
    fallback: 'anthropic',
    accepted: `${enumText(PROVIDER_CHOICES)} (bedrock and vertex use the job's AWS or Google credentials)`,
  }),
  modelRegion: setting({
    name: 'model-region',
    kind: 'string',
    schema: cloudRegion,
    fallback: undefined,
    accepted:
      'an AWS or Google Cloud region such as us-east-1 or us-east5; empty reads AWS_REGION or CLOUD_ML_REGION',
  }),
  vertexProjectId: setting({
    name: 'vertex-project-id',
    kind: 'string',
    schema: z
      .string()
      .regex(/^[a-z][a-z0-9-]{4,61}[a-z0-9]$/)
      .optional(),
    fallback: undefined,
    accepted:
      'a Google Cloud project id such as my-project-123; empty reads ANTHROPIC_VERTEX_PROJECT_ID or GOOGLE_CLOUD_PROJECT',
  }),
  pushgatewayUrl: setting({
    name: 'pushgateway-url',
    kind: 'string',
    // Credentials in the URL would be logged with it: they belong in the secret inputs below.
    schema: httpUrl.refine((text) => text === undefined || !/^https?:\/\/[^/]*@/.test(text)),
    fallback: undefined,
    accepted:
      'an http(s) URL of a Prometheus Pushgateway without credentials in it, such as https://pushgateway.example.com (use pushgateway-username/-password or pushgateway-token)',
  }),
  pushgatewayUsername: setting({
    name: 'pushgateway-username',
    kind: 'string',
    schema: optionalText,
    fallback: undefined,
    accepted: 'the Pushgateway basic-auth user, with pushgateway-password',
    secret: true,
  }),
  pushgatewayPassword: setting({
    name: 'pushgateway-password',
    kind: 'string',
    schema: optionalText,
    fallback: undefined,
    accepted: 'the Pushgateway basic-auth password, with pushgateway-username',
    secret: true,
  }),
  pushgatewayToken: setting({
    name: 'pushgateway-token',
    kind: 'string',
    schema: optionalText,
    fallback: undefined,
    accepted: 'a bearer token for the Pushgateway (instead of a username and password)',
    secret: true,
  }),
  triggerLabel: setting({
    name: 'trigger-label',
    kind: 'string',
    schema: labelSchema,
    fallback: 'pilot',
    accepted: 'a label name of 1 to 50 characters',
  }),
  botLogin: setting({
    name: 'bot-login',
    kind: 'string',
    schema: loginSchema,
    fallback: 'github-actions[bot]',
    accepted: 'a GitHub login such as github-actions[bot] or my-app[bot]',
  }),
  model: setting({
    name: 'model',
    kind: 'string',
    schema: modelSchema.optional(),
    fallback: undefined,
    accepted: 'a Claude model name or alias without spaces (e.g. sonnet, opus)',
  }),
  // No default on purpose (here and in action.yml): the runner fills action.yml defaults in, and a
  // value Pilot cannot tell from "not given" would either override triage or be overridden by it.
  // Not given, triage decides per size (src/triage/room.ts); given, the value wins.
  maxTurns: setting({
    name: 'max-turns',
    kind: 'int',
    schema: wholeNumber(1, 500).optional(),
    fallback: undefined,
    accepted: wholeNumberText(1, 500),
  }),
  timeoutMinutes: setting({
    name: 'timeout-minutes',
    kind: 'int',
    // Self-hosted jobs may run up to 5 days (7200 minutes); hosted ones stop at 360.
    schema: wholeNumber(1, 7200).optional(),
    fallback: undefined,
    accepted: wholeNumberText(1, 7200),
  }),
  maxCostUsd: setting({
    name: 'max-cost-usd',
    kind: 'number',
    schema: z.number().positive().max(1000),
    fallback: 5,
    accepted: 'a number of US dollars greater than 0 and at most 1000 (e.g. 5 or 2.50)',
  }),
  // Spend caps over all runs of a UTC day / month, read from the ledger (src/budget/). Not given: none.
  budgetDailyUsd: setting({
    name: 'budget-daily-usd',
    kind: 'number',
    schema: budgetUsd,
    fallback: undefined,
    accepted: BUDGET_ACCEPTED,
  }),
  budgetMonthlyUsd: setting({
    name: 'budget-monthly-usd',
    kind: 'number',
    schema: budgetUsd,
    fallback: undefined,
    accepted: BUDGET_ACCEPTED,
  }),
  claudePath: setting({
    name: 'claude-path',
    kind: 'string',
    schema: optionalText,
    fallback: undefined,
    accepted: 'a path to the claude executable',
  }),
  claudeCodeVersion: setting({
    name: 'claude-code-version',
    kind: 'string',
    schema: semver,
    fallback: DEFAULT_CLAUDE_CODE_VERSION,
    accepted: 'an exact version such as 2.1.331',
  }),
  autopilot: setting({
    name: 'autopilot',
    kind: 'string',
    schema: z.enum(AUTOPILOT_MODES),
    fallback: 'ci',
    accepted: enumText(AUTOPILOT_MODES),
  }),
  phase: setting({
    name: 'phase',
    kind: 'string',
    schema: z.enum(PHASES),
    fallback: 'auto',
    accepted: enumText(PHASES),
    inputOnly: true,
  }),
  configPath: setting({
    name: 'config-path',
    kind: 'string',
    schema: z.string().min(1),
    fallback: '.github/pilot.yml',
    accepted: 'a path relative to the repository root, e.g. .github/pilot.yml',
    inputOnly: true,
  }),
  minPermission: setting({
    name: 'min-permission',
    kind: 'string',
    schema: z.enum(PERMISSION_LEVELS),
    fallback: 'write',
    accepted: enumText(PERMISSION_LEVELS),
  }),
  requireIsolation: setting({
    name: 'require-isolation',
    kind: 'boolean',
    schema: z.boolean(),
    fallback: false,
    accepted: 'true or false',
  }),
  allowUsers: setting({
    name: 'allow-users',
    kind: 'list',
    schema: z.array(loginSchema),
    fallback: [],
    accepted: 'GitHub logins separated by commas or newlines',
  }),
  denyUsers: setting({
    name: 'deny-users',
    kind: 'list',
    schema: z.array(loginSchema),
    fallback: [],
    accepted: 'GitHub logins separated by commas or newlines',
  }),
  allowBots: setting({
    name: 'allow-bots',
    kind: 'list',
    schema: z.array(loginSchema),
    fallback: [],
    accepted: 'exact bot logins (e.g. renovate[bot]) separated by commas or newlines',
  }),
  protectedPaths: setting({
    name: 'protected-paths',
    kind: 'list',
    schema: z.array(pathPattern),
    fallback: [],
    accepted: 'path patterns (e.g. infra/**) separated by commas or newlines',
  }),
  allowedBash: setting({
    name: 'allowed-bash',
    kind: 'list',
    schema: z.array(z.string().trim().min(1)),
    fallback: [],
    accepted: 'commands (e.g. npm test) separated by commas or newlines',
  }),
  allowedHosts: setting({
    name: 'allowed-hosts',
    kind: 'list',
    schema: z.array(hostSchema),
    fallback: [],
    accepted:
      'host names or addresses, optionally with :port (e.g. registry.npmjs.org, 127.0.0.1:4873), separated by commas or newlines',
  }),
  agentEnv: setting({
    name: 'agent-env',
    kind: 'list',
    schema: z.array(agentEnvName),
    fallback: [],
    accepted:
      'environment variable names separated by commas or newlines, other than GitHub/runner credentials (GITHUB_TOKEN, ACTIONS_*, INPUT_*, model keys, AWS_*, GOOGLE_*, CLOUDSDK_*)',
  }),
  checkpointMinutes: setting({
    name: 'checkpoint-minutes',
    kind: 'int',
    schema: wholeNumber(1, 360),
    fallback: 10,
    accepted: wholeNumberText(1, 360),
  }),
  // Quality gates and self-review (issue 18 items 2 and 3); the gates themselves are the file's `gates:`.
  maxGateRounds: setting({
    name: 'max-gate-rounds',
    kind: 'int',
    schema: wholeNumber(0, 10),
    fallback: 2,
    accepted: wholeNumberText(0, 10),
  }),
  selfReview: setting({
    name: 'self-review',
    kind: 'boolean',
    schema: z.boolean(),
    fallback: false,
    accepted: 'true or false',
  }),
  draftPr: setting({
    name: 'draft-pr',
    kind: 'boolean',
    schema: z.boolean(),
    fallback: false,
    accepted: 'true or false',
  }),
  prLabels: setting({
    name: 'pr-labels',
    kind: 'list',
    schema: z.array(labelSchema),
    fallback: ['pilot'],
    accepted: 'label names of 1 to 50 characters separated by commas or newlines',
  }),
  gitUserName: setting({
    name: 'git-user-name',
    kind: 'string',
    schema: z.string().trim().min(1).max(200),
    fallback: 'github-actions[bot]',
    accepted: 'a non-empty name for commits',
  }),
  gitUserEmail: setting({
    name: 'git-user-email',
    kind: 'string',
    schema: email,
    fallback: '41898282+github-actions[bot]@users.noreply.github.com',
    accepted: 'an e-mail address for commits',
  }),
  maxCiFixes: setting({
    name: 'max-ci-fixes',
    kind: 'int',
    schema: wholeNumber(0, 20),
    fallback: 3,
    accepted: wholeNumberText(0, 20),
  }),
  maxReviewRounds: setting({
    name: 'max-review-rounds',
    kind: 'int',
    schema: wholeNumber(0, 20),
    fallback: 3,
    accepted: wholeNumberText(0, 20),
  }),
  // Pilot's memory (docs/memory.md): the learnings a prompt may carry, in estimated tokens; 0 = none.
  memoryTokens: setting({
    name: 'memory-tokens',
    kind: 'int',
    schema: wholeNumber(0, 20_000),
    fallback: 1500,
    accepted: wholeNumberText(0, 20000),
  }),
  // Epics (docs/epics.md): how many sub-issues a plan may have, how many run at once, who approves.
  maxSubIssues: setting({
    name: 'max-sub-issues',
    kind: 'int',
    schema: wholeNumber(1, 50),
    fallback: 10,
    accepted: wholeNumberText(1, 50),
  }),
  epicParallel: setting({
    name: 'epic-parallel',
    kind: 'int',
    schema: wholeNumber(1, 20),
    fallback: 2,
    accepted: wholeNumberText(1, 20),
  }),
  epicApproval: setting({
    name: 'epic-approval',
    kind: 'string',
    schema: z.enum(['maintainer', 'auto']),
    fallback: 'maintainer',
    accepted: enumText(['maintainer', 'auto']),
  }),
  // Merge autopilot (`autopilot: merge`, docs/merge.md): how Pilot merges and how much at most.
  mergeMethod: setting({
    name: 'merge-method',
    kind: 'string',
    schema: z.enum(['squash', 'merge', 'rebase']),
    fallback: 'squash',
    accepted: enumText(['squash', 'merge', 'rebase']),
  }),
  maxMergesPerHour: setting({
    name: 'max-merges-per-hour',
    kind: 'int',
    schema: wholeNumber(1, 1000),
    fallback: 10,
    accepted: wholeNumberText(1, 1000),
  }),
  circuitBreakerFailures: setting({
    name: 'circuit-breaker-failures',
    kind: 'int',
    schema: wholeNumber(1, 100),
    fallback: 3,
    accepted: wholeNumberText(1, 100),
  }),
  deleteBranch: setting({
    name: 'delete-branch',
    kind: 'boolean',
    schema: z.boolean(),
    fallback: true,
    accepted: 'true or false',
  }),
  // Notifications (src/notify/): where to is a secret (inputs only), which events may come from the file.
  slackWebhookUrl: notifyUrl('slack-webhook-url', 'a Slack incoming webhook URL (https://hooks.slack.com/…)'),
  slackEvents: notifyEvents('slack-events'),
  discordWebhookUrl: notifyUrl(
    'discord-webhook-url',
    'a Discord webhook URL (https://discord.com/api/webhooks/…)',
  ),
  discordEvents: notifyEvents('discord-events'),
  telegramBotToken: setting({
    name: 'telegram-bot-token',
    kind: 'string',
    schema: z
      .string()
      .regex(/^\d{1,20}:[A-Za-z0-9_-]{20,100}$/)
      .optional(),
    fallback: undefined,
    accepted: 'a Telegram bot token from @BotFather (123456:ABC…)',
    secret: true,
  }),
  telegramChatId: setting({
    name: 'telegram-chat-id',
    kind: 'string',
    schema: z
      .string()
      .regex(/^(?:-?\d{1,20}|@[A-Za-z0-9_]{5,32})$/)
      .optional(),
    fallback: undefined,
    accepted: 'a Telegram chat id (digits, may start with -) or @channelname',
  }),
  telegramEvents: notifyEvents('telegram-events'),
  webhookUrl: notifyUrl(
    'webhook-url',
    'an https URL that receives signed JSON (http only for 127.0.0.1/localhost)',
  ),
  webhookSecret: setting({
    name: 'webhook-secret',
    kind: 'string',
    schema: z.string().min(32).optional(),
    fallback: undefined,
    accepted: 'a random secret of at least 32 characters (openssl rand -hex 32)',
    secret: true,
  }),
  webhookEvents: notifyEvents('webhook-events'),
  // Trackers (docs/trackers.md): where Pilot posts the PR link back; tokens are secrets (inputs only).
  jiraUrl: setting({
    name: 'jira-url',
    kind: 'string',
    schema: webhookUrl,
    fallback: undefined,
    accepted: 'your Jira site URL, https://your-site.atlassian.net (http only for 127.0.0.1/localhost)',
  }),
  jiraUser: setting({
    name: 'jira-user',
    kind: 'string',
    schema: email.optional(),
    fallback: undefined,
    accepted:
      "the Jira account's email (with jira-token, basic auth as Jira Cloud expects); empty for a bearer token",
  }),
  jiraToken: setting({
    name: 'jira-token',
    kind: 'string',
    schema: z.string().min(8).max(2_000).regex(/^\S+$/).optional(),
    fallback: undefined,
    accepted: 'a Jira API token (Cloud, with jira-user) or personal access token (Data Center)',
    secret: true,
  }),
  linearToken: setting({
    name: 'linear-token',
    kind: 'string',
    schema: z.string().min(8).max(2_000).regex(/^\S+$/).optional(),
    fallback: undefined,
    accepted: 'a Linear personal API key (lin_api_…) or OAuth token',
    secret: true,
  }),
  linearApiUrl: setting({
    name: 'linear-api-url',
    kind: 'string',
    schema: webhookUrl.unwrap(),
    fallback: 'https://api.linear.app/graphql',
    accepted: "Linear's GraphQL endpoint (https; http only for 127.0.0.1/localhost)",
    inputOnly: true,
  }),
  linearLabel: setting({
    name: 'linear-label',
    kind: 'string',
    schema: labelSchema,
    fallback: 'pilot',
    accepted: 'a Linear label name of 1 to 50 characters',
  }),
  runnersDefault: setting({
    name: 'runners-default',
    kind: 'labels',
    schema: z.array(runnerLabel).min(1).optional(),
    fallback: undefined,
    accepted: RUNNERS_INPUT_ACCEPTED,
    inputOnly: true,
    fileEquivalent: 'runners: { default: … }',
  }),
  runnersLong: setting({
    name: 'runners-long',
    kind: 'labels',
    schema: z.array(runnerLabel).min(1).optional(),
    fallback: undefined,
    accepted: RUNNERS_INPUT_ACCEPTED,
    inputOnly: true,
    fileEquivalent: 'runners: { long: … }',
  }),
  intent: setting({
    name: 'intent',
    kind: 'string',
    schema: z.string().max(20_000).optional(),
    fallback: undefined,
    accepted: "the route phase's `intent` output (JSON), passed unchanged",
    inputOnly: true,
  }),
  // Ops mode (issue 22): what each tier would do, written to the summary, with nothing changed.
  dryRun: setting({
    name: 'dry-run',
    kind: 'boolean',
    schema: z.boolean(),
    fallback: false,
    accepted: 'true or false',
    inputOnly: true,
  }),
};

export type SettingKey = keyof typeof SETTINGS;
type SettingsFromTable = { [K in SettingKey]: z.output<(typeof SETTINGS)[K]['schema']> };

/** Values that come from action inputs (and, except secrets and per-step settings, from the file). */
export interface Settings {
  githubToken: string | undefined;
  appId: string | undefined;
  appPrivateKey: string | undefined;
  anthropicApiKey: string | undefined;
  claudeCodeOauthToken: string | undefined;
  pilotStateKey: string | undefined;
  pilotStateKeyPrevious: string | undefined;
  anthropicBaseUrl: string | undefined;
  modelProvider: ProviderChoice;
  modelRegion: string | undefined;
  vertexProjectId: string | undefined;
  pushgatewayUrl: string | undefined;
  pushgatewayUsername: string | undefined;
  pushgatewayPassword: string | undefined;
  pushgatewayToken: string | undefined;
  triggerLabel: string;
  botLogin: string;
  model: string | undefined;
  /** undefined = not given: triage decides. */
  maxTurns: number | undefined;
  /** undefined = not given: triage decides. */
  timeoutMinutes: number | undefined;
  maxCostUsd: number;
  budgetDailyUsd: number | undefined;
  budgetMonthlyUsd: number | undefined;
  claudePath: string | undefined;
  claudeCodeVersion: string;
  autopilot: AutopilotMode;
  phase: Phase;
  configPath: string;
  minPermission: MinPermission;
  requireIsolation: boolean;
  allowUsers: string[];
  denyUsers: string[];
  allowBots: string[];
  protectedPaths: string[];
  allowedBash: string[];
  allowedHosts: string[];
  agentEnv: string[];
  checkpointMinutes: number;
  maxGateRounds: number;
  selfReview: boolean;
  draftPr: boolean;
  prLabels: string[];
  gitUserName: string;
  gitUserEmail: string;
  maxCiFixes: number;
  maxReviewRounds: number;
  memoryTokens: number;
  maxSubIssues: number;
  epicParallel: number;
  epicApproval: 'maintainer' | 'auto';
  mergeMethod: 'squash' | 'merge' | 'rebase';
  maxMergesPerHour: number;
  circuitBreakerFailures: number;
  deleteBranch: boolean;
  slackWebhookUrl: string | undefined;
  slackEvents: NotifyEvent[];
  discordWebhookUrl: string | undefined;
  discordEvents: NotifyEvent[];
  telegramBotToken: string | undefined;
  telegramChatId: string | undefined;
  telegramEvents: NotifyEvent[];
  webhookUrl: string | undefined;
  webhookSecret: string | undefined;
  webhookEvents: NotifyEvent[];
  jiraUrl: string | undefined;
  jiraUser: string | undefined;
  jiraToken: string | undefined;
  linearToken: string | undefined;
  linearApiUrl: string;
  linearLabel: string;
  runnersDefault: string[] | undefined;
  runnersLong: string[] | undefined;
  intent: string | undefined;
  dryRun: boolean;
}

// The readable interface above and the table cannot drift apart: this line stops compiling if they do.
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
export const SETTINGS_MATCH_TABLE: Same<Settings, SettingsFromTable> = true;

/** One triage level's overrides from `.github/pilot.yml`; absent fields fall back to the top-level settings. */
export interface TriageLevelConfig {
  model?: string;
  maxTurns?: number;
  timeoutMinutes?: number;
  runner?: RunnerChoice;
}

export const TRIAGE_FIELDS = {
  model: SETTINGS.model,
  maxTurns: SETTINGS.maxTurns,
  timeoutMinutes: SETTINGS.timeoutMinutes,
  runner: setting({
    name: 'runner',
    kind: 'string',
    schema: z.enum(RUNNER_CHOICES),
    fallback: 'default',
    accepted: enumText(RUNNER_CHOICES),
  }),
} as const;

/** One quality gate as `.github/pilot.yml` writes it (`timeout-minutes`, `required` optional). */
export interface GateSpec {
  name: string;
  run: string;
  timeoutMinutes: number;
  required: boolean;
}

/** A list of gates, or `auto`: detect the project's obvious test and lint commands. */
export type Gates = 'auto' | GateSpec[];

/** Each gate field's schema and the words its error ends with. */
export const GATE_FIELDS = {
  name: {
    schema: z.string().trim().min(1).max(100),
    accepted: 'a gate name of 1 to 100 characters',
  },
  run: {
    schema: z.string().trim().min(1).max(4000),
    accepted: 'a shell command (run with sh -c in the repository)',
  },
  'timeout-minutes': { schema: wholeNumber(1, 360), accepted: wholeNumberText(1, 360) },
  required: { schema: z.boolean(), accepted: 'true or false' },
} as const;
export const GATE_DEFAULT_TIMEOUT_MINUTES = 10;
export const GATES_ACCEPTED =
  'auto, or a list of gates like "- { name: test, run: npm test, timeout-minutes: 10, required: true }"';

/**
 * One of `.github/pilot.yml`'s `environments:` (issue 19): chosen per issue by the label `env:<name>`
 * or by the PR's base branch (`branch`, else a branch named like the environment). With
 * `require-approval`, Pilot merges only behind the GitHub Environment `pilot-<name>`'s required
 * reviewers, and refuses when it has none (src/pipeline/merge-environment.ts).
 */
export interface EnvironmentSpec {
  name: string;
  autopilot?: AutopilotMode;
  requireApproval: boolean;
  branch?: string;
}

/** Each environment field's schema and the words its error ends with. */
export const ENVIRONMENT_FIELDS = {
  autopilot: { schema: z.enum(AUTOPILOT_MODES), accepted: enumText(AUTOPILOT_MODES) },
  'require-approval': { schema: z.boolean(), accepted: 'true or false' },
  branch: {
    schema: z.string().trim().min(1).max(255),
    accepted: 'a branch name such as main or release',
  },
} as const;
/** GitHub environment names allow letters, digits, `-`, `_` and `.`; `pilot-` is prepended. */
export const ENVIRONMENT_NAME = /^[A-Za-z0-9._-]{1,200}$/;
export const ENVIRONMENTS_ACCEPTED =
  'a mapping of environment names to { autopilot, require-approval, branch }, e.g. "prod: { autopilot: merge, require-approval: true }"';

export const RUNNERS_ACCEPTED =
  'a runner label or a list of labels, e.g. ubuntu-latest or [self-hosted, pilot]';

/** Runner inputs are folded into `runners`, the one place routing reads. */
export interface Config extends Omit<Settings, 'runnersDefault' | 'runnersLong'> {
  /** `runs-on` labels for ordinary and long tasks; `long` undefined = not configured (long tasks use `default`). */
  runners: { default: string[]; long: string[] | undefined };
  /** Per-level overrides; every level is present (empty when the file says nothing about it). */
  triage: Record<TriageLevel, TriageLevelConfig>;
  /** The file the settings came from, relative to the workspace, or undefined when there was none. */
  configFile: string | undefined;
  /** `gates:` from the file: commands run after the agent, or `auto`; absent or empty = no gates. */
  gates?: Gates;
  /** `environments:` from the file (absent = none: the task's autopilot is the repository's). */
  environments?: EnvironmentSpec[];
  /** Where each setting's value came from, for `/pilot help` (absent on a Config built by hand). */
  sources?: Partial<Record<SettingKey, SettingSource>>;
}

/** Inputs the user set win, then `.github/pilot.yml`, then the default. */
export type SettingSource = 'input' | 'file' | 'default';

/** The default shown in action.yml and the README: an empty string when there is none. */
export function shownDefault(spec: Setting): string {
  if (spec.shownDefault !== undefined) return spec.shownDefault;
  const value: unknown = spec.fallback;
  if (value === undefined) return '';
  if (Array.isArray(value)) return value.join(',');
  return String(value);
}
