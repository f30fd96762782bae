// Runs the agent inside every isolation layer Pilot can set up here (DESIGN.md "Agent isolation"):
// the model gateway holds the real credential, a separate user owns the agent's processes, Pilot's
// settings turn on the sandbox and the deny rules, and the environment is an allowlist.
import type { Config } from '../../config/load.js';
import type { AgentResult } from '../claude.js';
import { agentEnv } from '../env.js';
import {
  type Gateway,
  gatewayEnv,
  type OutageState,
  type ProviderName,
  startGateway,
} from '../gateway/index.js';
import { cloudUpstream, ProviderSetupError } from '../gateway/providers/from-env.js';
import { buildSettings, runnerDirsOf, writeSettings } from '../settings.js';
import {
  type IsolationReport,
  IsolationRequired,
  isolationNote,
  isolationRow,
  type Layer,
  missingLayers,
} from './layers.js';
import { prepareIsolation } from './prepare.js';
import type { AgentUser, UserProbe } from './user.js';

export { type IsolationReport, isolationNote, isolationRow, type Layer, missingLayers } from './layers.js';
export { type Isolation, prepareIsolation } from './prepare.js';
export { type AgentUser, launchAs } from './user.js';

export interface ModelSettings {
  anthropicApiKey?: string;
  claudeCodeOauthToken?: string;
  anthropicBaseUrl?: string;
  /** `model-provider`: the Anthropic API (default), or Bedrock / Vertex with the job's cloud credentials. */
  provider?: ProviderName;
  /** `model-region` (Bedrock, Vertex). */
  region?: string;
  /** `vertex-project-id`. */
  vertexProjectId?: string;
  maxCostUsd: number;
  /** The run's model (`model`, or triage's pick); the gateway refuses others but the CLI's Haiku. */
  model?: string;
}

export interface IsolatedRunOptions {
  workspace: string;
  runnerTemp: string;
  claudePath: string;
  model: ModelSettings;
  /** `agent-env`. */
  agentEnvNames: string[];
  requireIsolation: boolean;
  /** `allowed-hosts`: hosts (or host:port) sandboxed commands may reach besides the gateway. */
  extraHosts?: string[];
  /** Filled with the layers as they are set up, for the summary and the tracking comment. */
  report: IsolationReport;
  log?: (line: string) => void;
  probe?: UserProbe;
  source?: NodeJS.ProcessEnv;
}

/** What the agent is started with. */
export interface AgentLaunch {
  claudePath: string;
  env: Record<string, string>;
  settingsPath: string;
  runAs?: AgentUser;
  configDir: string;
  /** The model gateway, when one runs: Pilot's own calls (self-review) go through it and its meter. */
  gateway?: { url: string; agentKey: string; spentUsd(): number };
}

const PUBLIC_API = 'https://api.anthropic.com';

function anthropicCredential(model: ModelSettings) {
  if (model.anthropicApiKey) return { apiKey: model.anthropicApiKey };
  if (model.claudeCodeOauthToken) return { oauthToken: model.claudeCodeOauthToken };
  return undefined;
}

/** Throws ProviderSetupError when Bedrock or Vertex is configured but its credentials are not there. */
async function openGateway(opts: IsolatedRunOptions): Promise<Gateway | undefined> {
  const { model } = opts;
  const env = opts.source ?? process.env;
  const cloud = await cloudUpstream(
    { provider: model.provider ?? 'anthropic', region: model.region, vertexProjectId: model.vertexProjectId },
    env,
  );
  const credential = cloud?.credential ?? anthropicCredential(model);
  if (!credential) return undefined;
  return startGateway({
    upstream: cloud?.upstream ?? model.anthropicBaseUrl ?? env.ANTHROPIC_BASE_URL ?? PUBLIC_API,
    credential,
    maxCostUsd: model.maxCostUsd,
    policy: { models: model.model ? [model.model] : [] },
    log: opts.log,
  });
}

const PROVIDER_NAMES: Record<ProviderName, string> = {
  anthropic: 'Anthropic API',
  bedrock: 'Amazon Bedrock',
  vertex: 'Google Vertex AI',
};

/** What the summary names: the provider, and its region where it has one. */
export function providerLabel(gateway: Pick<Gateway, 'provider' | 'region'>): string {
  const name = PROVIDER_NAMES[gateway.provider];
  return gateway.region ? `${name} (${gateway.region})` : name;
}

function refused(error: { message: string }): AgentResult {
  return {
    ok: false,
    exitCode: null,
    stopReason: 'error',
    numTurns: 0,
    costUsd: 0,
    sessionCostUsd: 0,
    resultText: '',
    permissionDenials: [],
    errorText: error.message,
    durationMs: 0,
  };
}

function gatewayLayer(gateway: Gateway | undefined): Layer {
  return gateway
    ? {
        name: 'model gateway',
        ok: true,
        detail: `${gateway.url} in front of ${providerLabel(gateway)}; the agent holds a per-run key`,
      }
    : {
        name: 'model gateway',
        ok: false,
        detail: 'no anthropic-api-key or claude-code-oauth-token to proxy',
      };
}

/**
 * The gateway's entry in the sandbox's network allowlist: host *and* port. A bare `127.0.0.1` would
 * let sandboxed commands reach every loopback service through the sandbox's proxy (the runner's
 * own, a database, a debug port), not just the gateway.
 */
function gatewayHost(url: string): string {
  return new URL(url).host;
}

/**
 * A run that failed after the gateway's cap tripped stopped because of the budget: the CLI reports the
 * gateway's refusal as an API error (429, `terminal_reason: api_error`), which is not what happened.
 */
export function stoppedByCap(result: AgentResult, tripped: boolean): AgentResult {
  if (!tripped || result.ok || result.stopReason === 'cancelled' || result.stopReason === 'timeout')
    return result;
  return { ...result, stopReason: 'budget' };
}

/**
 * A run that failed after the gateway called an outage stopped because the model API is down, not
 * because of anything the agent did: the CLI reports the gateway's 529 as an API error. The note
 * names the upstream's failures (the gateway's words, no credential in them).
 */
export function stoppedByOutage(
  result: AgentResult,
  outage: Pick<OutageState, 'tripped' | 'consecutive' | 'last'> | undefined,
): AgentResult {
  if (!outage?.tripped || result.ok || result.stopReason !== 'api_error') return result;
  const errorText = `the model API kept failing: ${outage.consecutive} answers in a row (last: ${outage.last ?? 'unknown'})`;
  return { ...result, stopReason: 'outage', errorText };
}

/** The gateway's counts, replacing anything the agent's result said: the gateway is the meter. */
export function withTokens(result: AgentResult, gateway: Pick<Gateway, 'usage'> | undefined): AgentResult {
  if (!gateway) return { ...result, tokens: undefined };
  const u = gateway.usage();
  return {
    ...result,
    tokens: {
      input: u.inputTokens,
      output: u.outputTokens,
      cacheRead: u.cacheReadTokens,
      cacheWrite: u.cacheWriteTokens,
    },
  };
}

/** The gateway, or the failed result a run gets when its provider's credentials are not there. */
async function openedGateway(
  opts: IsolatedRunOptions,
): Promise<{ gateway: Gateway | undefined } | { refusal: AgentResult }> {
  try {
    const gateway = await openGateway(opts);
    if (gateway) opts.report.provider = providerLabel(gateway);
    return { gateway };
  } catch (error) {
    if (!(error instanceof ProviderSetupError)) throw error;
    opts.log?.(error.message);
    return { refusal: refused(error) };
  }
}

/** What points the CLI at the model: the gateway, or without one only a configured base URL. */
function modelEnv(gateway: Gateway | undefined, model: ModelSettings): Record<string, string> {
  if (gateway) return gatewayEnv(gateway);
  return model.anthropicBaseUrl ? { ANTHROPIC_BASE_URL: model.anthropicBaseUrl } : {};
}

/** What Pilot's own model calls need of the gateway: where, the key, and what it metered so far. */
function gatewayHandle(gateway: Gateway | undefined): AgentLaunch['gateway'] {
  if (!gateway) return undefined;
  return { url: gateway.url, agentKey: gateway.agentKey, spentUsd: () => gateway.usage().costUsd };
}

/**
 * Sets up the layers, runs `agent`, and takes everything back before returning (before Pilot
 * commits). With require-isolation, a missing layer returns a failed result and the agent never starts.
 */
export async function runIsolated(
  opts: IsolatedRunOptions,
  agent: (launch: AgentLaunch) => Promise<AgentResult>,
): Promise<AgentResult> {
  const opened = await openedGateway(opts);
  if ('refusal' in opened) return opened.refusal;
  const { gateway } = opened;
  try {
    const runnerDirs = runnerDirsOf(opts.workspace);
    const iso = await prepareIsolation({
      workspace: opts.workspace,
      runnerTemp: opts.runnerTemp,
      runnerDirs,
      claudePath: opts.claudePath,
      probe: opts.probe,
    });
    try {
      const settings = buildSettings({
        workspace: opts.workspace,
        runnerTemp: opts.runnerTemp,
        configDir: iso.dirs.configDir,
        allowedHosts: [...(gateway ? [gatewayHost(gateway.url)] : []), ...(opts.extraHosts ?? [])],
        sandboxAvailable: iso.sandboxAvailable,
        runnerDirs,
      });
      await writeSettings(iso.dirs.settingsPath, settings);
      opts.report.layers = [
        gatewayLayer(gateway),
        ...iso.layers,
        {
          name: 'Claude Code settings',
          ok: true,
          detail: 'Pilot-owned --settings, --setting-sources user, --strict-mcp-config, deny rules',
        },
        { name: 'environment allowlist', ok: true, detail: 'no GITHUB_TOKEN, ACTIONS_* or INPUT_*' },
      ];
      for (const layer of opts.report.layers)
        opts.log?.(`isolation: ${layer.name}: ${layer.ok ? 'on' : 'MISSING'} — ${layer.detail}`);
      const missing = missingLayers(opts.report);
      if (opts.requireIsolation && missing.length) return refused(new IsolationRequired(missing));
      const model = modelEnv(gateway, opts.model);
      const env = agentEnv({ dirs: iso.dirs, model, extra: opts.agentEnvNames, source: opts.source });
      const result = await agent({
        claudePath: iso.claudePath,
        env,
        settingsPath: iso.dirs.settingsPath,
        runAs: iso.user,
        configDir: iso.dirs.configDir,
        gateway: gatewayHandle(gateway),
      });
      const capped = stoppedByCap(result, gateway?.tripped() ?? false);
      return withTokens(stoppedByOutage(capped, gateway?.outage()), gateway);
    } finally {
      await iso.handBack();
    }
  } finally {
    await gateway?.close();
  }
}

/** The run's options from Pilot's configuration (one place, so work.ts stays a one-line hook). */
export function isolatedRunOptions(
  config: Pick<
    Config,
    | 'anthropicApiKey'
    | 'claudeCodeOauthToken'
    | 'anthropicBaseUrl'
    | 'modelProvider'
    | 'modelRegion'
    | 'vertexProjectId'
    | 'maxCostUsd'
    | 'model'
    | 'claudePath'
    | 'agentEnv'
    | 'allowedHosts'
    | 'requireIsolation'
  >,
  where: { workspace: string; runnerTemp: string },
  report: IsolationReport,
  log: (line: string) => void,
): IsolatedRunOptions {
  return {
    ...where,
    claudePath: config.claudePath || 'claude',
    model: {
      anthropicApiKey: config.anthropicApiKey,
      claudeCodeOauthToken: config.claudeCodeOauthToken,
      anthropicBaseUrl: config.anthropicBaseUrl,
      provider: config.modelProvider,
      region: config.modelRegion,
      vertexProjectId: config.vertexProjectId,
      maxCostUsd: config.maxCostUsd,
      model: config.model,
    },
    agentEnvNames: config.agentEnv,
    extraHosts: config.allowedHosts,
    requireIsolation: config.requireIsolation,
    report,
    log,
  };
}

/** Adds the isolation row to the summary/tracking table and the reasons for missing layers to the body. */
export function withIsolation<V extends { details?: Array<[string, string]>; body?: string }>(
  view: V,
  report: IsolationReport,
): V {
  const row = isolationRow(report);
  const note = isolationNote(report);
  const provider: Array<[string, string]> = report.provider ? [['Model provider', report.provider]] : [];
  const rows: Array<[string, string]> = [...provider, ...(row ? [row] : [])];
  return {
    ...view,
    details: rows.length ? [...(view.details ?? []), ...rows] : view.details,
    body: note ? [view.body, note].filter(Boolean).join('\n\n') : view.body,
  };
}
