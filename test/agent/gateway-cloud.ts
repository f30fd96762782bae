// The gateway in front of the local Bedrock and Vertex emulators (test/world/cloud/), with the
// scripted Messages API writing the answers and the real CLI pointed at the gateway.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { onTestFinished } from 'vitest';
import { type Gateway, gatewayEnv, googleAccessToken, startGateway } from '../../src/agent/gateway/index.js';
import { type BedrockServer, startBedrock } from '../world/cloud/bedrock.js';
import { startVertex, type VertexServer } from '../world/cloud/vertex.js';
import {
  claudeEnv,
  headlessArgs,
  type ModelScript,
  type ModelServer,
  spawnClaude,
  startModel,
} from '../world/model/index.js';

/** What aws-actions/configure-aws-credentials would export: a session from an OIDC role. */
export const AWS_KEYS = {
  accessKeyId: 'ASIAPILOTTESTKEY0001',
  secretAccessKey: 'pilot/test+secret/KEY0000000000000000000',
  sessionToken: 'IQoJb3JpZ2luX2VjEPilotTestSessionToken000000000000000000',
};
export const AWS_REGION = 'us-east-1';
export const GOOGLE_TOKEN = 'ya29.pilot-test-google-access-token-0000000000';
export const VERTEX_PROJECT = 'pilot-test-project';
export const VERTEX_REGION = 'us-east5';

export interface CloudRig<E> {
  model: ModelServer;
  emulator: E;
  gateway: Gateway;
  workspace: string;
  env: Record<string, string>;
  lines: string[];
}

async function rigWith<E extends { close(): Promise<void> }>(
  script: ModelScript,
  emulatorOf: (modelUrl: string) => Promise<E & { url: string }>,
  credentialFor: (emulator: E, root: string) => Promise<Parameters<typeof startGateway>[0]['credential']>,
  maxCostUsd: number,
): Promise<CloudRig<E>> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'pilot-cloud-'));
  const workspace = path.join(root, 'workspace');
  mkdirSync(workspace);
  const model = await startModel(script);
  const emulator = await emulatorOf(model.url);
  const lines: string[] = [];
  const gateway = await startGateway({
    upstream: emulator.url,
    credential: await credentialFor(emulator, root),
    maxCostUsd,
    log: (line) => lines.push(line),
  });
  onTestFinished(async () => {
    await gateway.close();
    await emulator.close();
    await model.close();
    rmSync(root, { recursive: true, force: true });
  });
  // Nothing of the Anthropic API in the CLI's environment: only what the gateway says for this provider.
  const {
    ANTHROPIC_BASE_URL: _url,
    ANTHROPIC_API_KEY: _key,
    ...base
  } = claudeEnv({
    baseUrl: gateway.url,
    home: path.join(root, 'home'),
  });
  return { model, emulator, gateway, workspace, lines, env: { ...base, ...gatewayEnv(gateway) } };
}

export function bedrockRig(
  script: ModelScript,
  opts: { maxCostUsd: number; expired?: boolean; keys?: typeof AWS_KEYS },
): Promise<CloudRig<BedrockServer>> {
  return rigWith(
    script,
    (modelUrl) => startBedrock({ modelUrl, keys: AWS_KEYS, region: AWS_REGION, expired: opts.expired }),
    async () => ({ bedrock: { region: AWS_REGION, keys: () => opts.keys ?? AWS_KEYS } }),
    opts.maxCostUsd,
  );
}

export function vertexRig(
  script: ModelScript,
  opts: { maxCostUsd: number; token?: string; accessToken?: () => Promise<string> },
): Promise<CloudRig<VertexServer>> {
  return rigWith(
    script,
    (modelUrl) =>
      startVertex({ modelUrl, token: GOOGLE_TOKEN, projectId: VERTEX_PROJECT, region: VERTEX_REGION }),
    async (emulator, root) => ({
      vertex: {
        region: VERTEX_REGION,
        projectId: VERTEX_PROJECT,
        accessToken:
          opts.accessToken ??
          (opts.token !== undefined ? async () => opts.token as string : await realToken(emulator, root)),
      },
    }),
    opts.maxCostUsd,
  );
}

/** The subject token google-github-actions/auth would have fetched from GitHub's OIDC endpoint. */
export const OIDC_SUBJECT = 'eyJhbGciOiJSUzI1NiJ9.pilot-test-github-oidc-subject.sig';

/**
 * The real google-auth-library, given the kind of credentials file google-github-actions/auth writes
 * for Workload Identity Federation (`external_account`), with the token exchange on the emulator.
 */
async function realToken(emulator: VertexServer, root: string): Promise<() => Promise<string>> {
  const subject = path.join(root, 'oidc-token');
  writeFileSync(subject, OIDC_SUBJECT);
  const file = path.join(root, 'gha-creds-test.json');
  writeFileSync(
    file,
    JSON.stringify({
      type: 'external_account',
      audience:
        '//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/github/providers/repo',
      subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
      token_url: emulator.tokenUrl,
      credential_source: { file: subject },
    }),
  );
  return googleAccessToken(VERTEX_PROJECT, file);
}

export async function runCli<E>(r: CloudRig<E>, prompt: string, extra: string[]) {
  const proc = spawnClaude({ args: headlessArgs(prompt, extra), cwd: r.workspace, env: r.env });
  onTestFinished(() => proc.kill());
  return proc.done;
}

/** A raw request to the gateway as the agent (or a script it runs) could send it. */
export async function postAs(
  gw: Gateway,
  pathAndQuery: string,
  body: unknown,
  headers: Record<string, string> = {},
) {
  const res = await fetch(`${gw.url}${pathAndQuery}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': gw.agentKey, ...headers },
    body: JSON.stringify(body),
  });
  return { res, bytes: Buffer.from(await res.arrayBuffer()) };
}

/** Every secret the job holds for the cloud providers. */
export const CLOUD_SECRETS = [
  AWS_KEYS.secretAccessKey,
  AWS_KEYS.sessionToken,
  AWS_KEYS.accessKeyId,
  GOOGLE_TOKEN,
];
