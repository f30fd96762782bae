// The gateway's upstream for the configured provider, from the job's environment: the AWS session
// aws-actions/configure-aws-credentials exported, or the Google credentials google-github-actions/auth
// left. Read by Pilot's process only; the agent's environment allowlist drops all of them.
import { messageOf } from '../../../errors.js';
import { registerSecret } from '../../../secrets.js';
import type { AwsKeys } from './bedrock.js';
import type { ProviderName } from './provider.js';
import { googleAccessToken } from './vertex.js';

export interface ProviderSettings {
  provider: ProviderName;
  /** `model-region`; empty reads the provider's usual variable. */
  region?: string;
  /** `vertex-project-id`; empty reads the usual variables. */
  vertexProjectId?: string;
}

type CloudCredential =
  | { bedrock: { region: string; keys: () => AwsKeys } }
  | { vertex: { region: string; projectId: string; accessToken: () => Promise<string> } };

export interface CloudUpstream {
  upstream: string;
  credential: CloudCredential;
}

/** A provider that cannot be used as configured; the message says what to add to the workflow. */
export class ProviderSetupError extends Error {}

/** Read at every request: a later step cannot change Pilot's environment, but a re-read costs nothing. */
function awsKeys(env: NodeJS.ProcessEnv): AwsKeys {
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey)
    throw new ProviderSetupError(
      "model-provider bedrock needs AWS credentials in the job's environment: run aws-actions/configure-aws-credentials (with role-to-assume, OIDC) before Pilot.",
    );
  return { accessKeyId, secretAccessKey, sessionToken: env.AWS_SESSION_TOKEN || undefined };
}

function bedrockUpstream(settings: ProviderSettings, env: NodeJS.ProcessEnv): CloudUpstream {
  const region = settings.region || env.AWS_REGION || env.AWS_DEFAULT_REGION;
  if (!region)
    throw new ProviderSetupError(
      'model-provider bedrock needs a region: set model-region, or aws-region in aws-actions/configure-aws-credentials.',
    );
  const first = awsKeys(env);
  registerSecret(first.secretAccessKey);
  registerSecret(first.sessionToken);
  return {
    // ANTHROPIC_BEDROCK_BASE_URL in Pilot's own environment: a proxy or a local endpoint upstream.
    upstream: env.ANTHROPIC_BEDROCK_BASE_URL || `https://bedrock-runtime.${region}.amazonaws.com`,
    credential: { bedrock: { region, keys: () => awsKeys(env) } },
  };
}

async function vertexUpstream(settings: ProviderSettings, env: NodeJS.ProcessEnv): Promise<CloudUpstream> {
  const region = settings.region || env.CLOUD_ML_REGION;
  const projectId =
    settings.vertexProjectId ||
    env.ANTHROPIC_VERTEX_PROJECT_ID ||
    env.GOOGLE_CLOUD_PROJECT ||
    env.CLOUDSDK_CORE_PROJECT;
  const missing = [
    ...(region ? [] : ['a region (model-region, or CLOUD_ML_REGION)']),
    ...(projectId ? [] : ['a project (vertex-project-id, or google-github-actions/auth with project_id)']),
  ];
  if (!region || !projectId)
    throw new ProviderSetupError(`model-provider vertex needs ${missing.join(' and ')}.`);
  let token: () => Promise<string>;
  try {
    token = await googleAccessToken(projectId);
  } catch (error) {
    throw new ProviderSetupError(
      `model-provider vertex could not load Google credentials (run google-github-actions/auth before Pilot): ${messageOf(error)}`,
    );
  }
  const accessToken = async () => {
    const value = await token();
    registerSecret(value);
    return value;
  };
  const host = region === 'global' ? 'aiplatform.googleapis.com' : `${region}-aiplatform.googleapis.com`;
  return {
    upstream: env.ANTHROPIC_VERTEX_BASE_URL || `https://${host}/v1`,
    credential: { vertex: { region, projectId, accessToken } },
  };
}

/** The upstream and credential for Bedrock or Vertex; undefined for the Anthropic API (its own inputs). */
export async function cloudUpstream(
  settings: ProviderSettings,
  env: NodeJS.ProcessEnv,
): Promise<CloudUpstream | undefined> {
  if (settings.provider === 'bedrock') return bedrockUpstream(settings, env);
  if (settings.provider === 'vertex') return vertexUpstream(settings, env);
  return undefined;
}
