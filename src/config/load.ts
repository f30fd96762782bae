// One typed Config from action inputs and `.github/pilot.yml`: inputs the user set win, then the file,
// then the defaults. Every problem is collected and thrown once, so a user fixes them all in one go.
import { isAbsolute, relative, resolve } from 'node:path';
import { ConfigError, type ConfigProblem, invalidValue } from './errors.js';
import { type FileReading, readConfigFile } from './file.js';
import { readInputs } from './inputs.js';
import {
  type Config,
  DEFAULT_RUNNERS,
  SETTINGS,
  type SettingKey,
  type SettingSource,
  type Settings,
  TRIAGE_LEVELS,
  type TriageLevel,
  type TriageLevelConfig,
} from './schema.js';

export { ConfigError, type ConfigProblem } from './errors.js';
export type { Config } from './schema.js';

export interface LoadOptions {
  /** Repository root the config path is relative to; defaults to GITHUB_WORKSPACE, then the cwd. */
  workspace?: string;
}

export function loadConfig(opts: LoadOptions = {}): Config {
  const workspace = opts.workspace ?? process.env.GITHUB_WORKSPACE ?? process.cwd();
  const inputs = readInputs();
  const problems: ConfigProblem[] = [...inputs.problems];
  const configPath = inputs.values.configPath ?? SETTINGS.configPath.fallback;
  const file = readFileIfInside(workspace, configPath, inputs.values.configPath !== undefined, problems);
  if (file) problems.push(...file.problems);
  const { runnersDefault, runnersLong, ...settings } = { ...defaults(), ...file?.values, ...inputs.values };
  problems.push(...crossChecks(settings), ...pushgatewayChecks(settings));
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    ...settings,
    runners: {
      default: runnersDefault ?? file?.runners.default ?? [...DEFAULT_RUNNERS.default],
      long: runnersLong ?? file?.runners.long,
    },
    triage: triageLevels(file?.triage ?? {}),
    gates: file?.gates ?? [],
    environments: file?.environments ?? [],
    configFile: file ? configPath : undefined,
    sources: sourcesOf(inputs.values, file?.values ?? {}),
  };
}

function sourcesOf(
  inputs: Partial<Settings>,
  file: Partial<Settings>,
): Partial<Record<SettingKey, SettingSource>> {
  const keys = Object.keys(SETTINGS) as SettingKey[];
  const of = (key: SettingKey): SettingSource =>
    inputs[key] !== undefined ? 'input' : file[key] !== undefined ? 'file' : 'default';
  return Object.fromEntries(keys.map((key) => [key, of(key)]));
}

function defaults(): Settings {
  const entries = Object.entries(SETTINGS).map(([key, spec]) => [key, structuredClone(spec.fallback)]);
  return Object.fromEntries(entries) as Settings;
}

/**
 * The file is optional at its default path; a path the user chose must exist. A path outside the
 * workspace is refused: the file is part of the repository, never of the runner.
 */
function readFileIfInside(
  workspace: string,
  configPath: string,
  chosen: boolean,
  problems: ConfigProblem[],
): FileReading | undefined {
  const inside = relative(resolve(workspace), resolve(workspace, configPath));
  if (isAbsolute(configPath) || inside.startsWith('..') || isAbsolute(inside)) {
    problems.push(invalidValue('config-path', configPath, 'input config-path', SETTINGS.configPath.accepted));
    return undefined;
  }
  const file = readConfigFile(workspace, configPath);
  if (!file && chosen) {
    const accepted = `a file that exists in the repository (none at ${resolve(workspace, configPath)})`;
    problems.push(invalidValue('config-path', configPath, 'input config-path', accepted));
  }
  return file;
}

type Paired =
  | 'appId'
  | 'appPrivateKey'
  | 'webhookUrl'
  | 'webhookSecret'
  | 'telegramBotToken'
  | 'telegramChatId'
  | 'jiraUrl'
  | 'jiraToken';

/** Settings that mean nothing alone: [has, needs, why]. */
const PAIRS: [Paired, Paired, string][] = [
  ['appId', 'appPrivateKey', 'a GitHub App needs both'],
  ['appPrivateKey', 'appId', 'a GitHub App needs both'],
  // An unsigned webhook would let anyone who learns the URL post Pilot events: the secret is required.
  ['webhookUrl', 'webhookSecret', 'Pilot signs every webhook body with it'],
  ['telegramBotToken', 'telegramChatId', 'the bot needs a chat to post to'],
  ['jiraUrl', 'jiraToken', 'Pilot posts the PR link to Jira with it'],
  ['jiraToken', 'jiraUrl', 'Pilot needs to know where your Jira is'],
];

function crossChecks(settings: Pick<Settings, Paired>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const [has, needs, why] of PAIRS) {
    if (settings[has] !== undefined && settings[needs] === undefined) {
      const name = SETTINGS[needs].name;
      const accepted = `${SETTINGS[needs].accepted} whenever ${SETTINGS[has].name} is set (${why})`;
      problems.push(invalidValue(name, undefined, `input ${name}`, accepted));
    }
  }
  return problems;
}

/** Basic auth needs both halves; a token and a user at once would leave which one is sent unclear. */
function pushgatewayChecks(
  s: Pick<Settings, 'pushgatewayUsername' | 'pushgatewayPassword' | 'pushgatewayToken'>,
): ConfigProblem[] {
  const { pushgatewayUsername: user, pushgatewayPassword: password, pushgatewayToken: token } = s;
  const problem = (name: string, accepted: string) =>
    invalidValue(name, undefined, `input ${name}`, accepted);
  if (token !== undefined && (user !== undefined || password !== undefined))
    return [
      problem('pushgateway-token', 'either pushgateway-token or pushgateway-username/-password, not both'),
    ];
  if (user !== undefined && password === undefined)
    return [problem('pushgateway-password', 'the basic-auth password whenever pushgateway-username is set')];
  if (password !== undefined && user === undefined)
    return [problem('pushgateway-username', 'the basic-auth user whenever pushgateway-password is set')];
  return [];
}

function triageLevels(
  fromFile: Partial<Record<TriageLevel, TriageLevelConfig>>,
): Record<TriageLevel, TriageLevelConfig> {
  return Object.fromEntries(TRIAGE_LEVELS.map((level) => [level, { ...fromFile[level] }])) as Record<
    TriageLevel,
    TriageLevelConfig
  >;
}
