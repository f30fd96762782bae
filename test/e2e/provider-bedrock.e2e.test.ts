// Issue → PR on Amazon Bedrock through the runner harness: the job's AWS session is in Pilot's
// environment (as aws-actions/configure-aws-credentials leaves it), the gateway signs every request,
// the local Bedrock emulator verifies the signature and streams event-stream frames, and the run is
// metered and summarised like any other. The agent's Bash output and the model's text hold no AWS secret.
import { afterEach, describe, expect, it } from 'vitest';
import { type BedrockServer, startBedrock } from '../world/cloud/bedrock.js';
import { OWNER, REPO, startWorld, type World } from '../world/index.js';
import { bash, say, write } from '../world/model/index.js';

const KEYS = {
  accessKeyId: 'ASIAPILOTE2EKEY00001',
  secretAccessKey: 'pilot/e2e+secret/KEY000000000000000000000',
  sessionToken: 'IQoJb3JpZ2luX2VjEPilotE2ESessionToken0000000000000000',
};
const REGION = 'eu-central-1';

let world: World | undefined;
let bedrock: BedrockServer | undefined;
afterEach(async () => {
  await world?.close();
  await bedrock?.close();
  world = undefined;
  bedrock = undefined;
});

describe('a task on Amazon Bedrock', () => {
  it('opens the PR with every model request signed, metered, and no AWS secret anywhere the agent or a reader sees', {
    timeout: 180_000,
  }, async () => {
    world = await startWorld({
      script: [
        bash('env', 'Look at the environment'),
        write('src/farewell.js', 'export const farewell = () => "bye";\n'),
        say('Added src/farewell.js.'),
      ],
      // The Anthropic key of the world's defaults stays set: model-provider decides, not its presence.
      inputs: { 'model-provider': 'bedrock', 'allowed-bash': 'env' },
    });
    const w = world;
    bedrock = await startBedrock({ modelUrl: w.model.url, keys: KEYS, region: REGION });
    w.gh.setPermission(OWNER, REPO, 'mona', 'write');
    const issue = w.gh.addIssue(OWNER, REPO, {
      title: 'Add a farewell helper',
      body: 'Please add farewell().',
      user: 'mona',
    });

    const runs = await w.run('issues', w.labelEvent(issue, 'pilot', 'mona'), {
      extraEnv: {
        AWS_ACCESS_KEY_ID: KEYS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: KEYS.secretAccessKey,
        AWS_SESSION_TOKEN: KEYS.sessionToken,
        AWS_REGION: REGION,
        ANTHROPIC_BEDROCK_BASE_URL: bedrock.url,
      },
    });

    const work = runs.at(-1);
    expect(work?.exitCode, work?.log).toBe(0);
    expect(w.gh.pulls(OWNER, REPO)).toHaveLength(1);
    expect(bedrock.refused).toEqual([]);
    expect(bedrock.accepted.length).toBeGreaterThanOrEqual(3);
    // Nothing reached the Anthropic endpoint directly: every model request went through Bedrock.
    expect(w.model.requests.every((r) => r.headers['x-api-key'] === undefined)).toBe(true);
    expect(work?.summary).toContain('Amazon Bedrock (eu-central-1)');
    expect(work?.outputs?.['cost-usd']).toMatch(/^0\.\d+$/);
    const seen = [
      work?.log ?? '',
      work?.summary ?? '',
      w.model.allText(),
      JSON.stringify(w.gh.comments?.(OWNER, REPO, issue) ?? []),
    ].join('\n');
    for (const secret of [KEYS.secretAccessKey, KEYS.sessionToken]) expect(seen).not.toContain(secret);
    // The agent ran `env`: its output went to the model, with the provider switch and no credential.
    expect(w.model.allText()).toContain('CLAUDE_CODE_USE_BEDROCK=1');
    expect(w.model.allText()).not.toContain('AWS_ACCESS_KEY_ID');
  });

  it('without AWS credentials in the job, fails the task and tells the person what step to add', {
    timeout: 120_000,
  }, async () => {
    world = await startWorld({ script: [say('never reached')], inputs: { 'model-provider': 'bedrock' } });
    const w = world;
    w.gh.setPermission(OWNER, REPO, 'mona', 'write');
    const issue = w.gh.addIssue(OWNER, REPO, {
      title: 'Add a farewell helper',
      body: 'Please.',
      user: 'mona',
    });

    const runs = await w.run('issues', w.labelEvent(issue, 'pilot', 'mona'), {
      extraEnv: { AWS_REGION: REGION },
    });

    const tracking = w.pilotComments(issue).find((c) => c.body.includes('pilot:task'));
    expect(tracking?.body).toContain('aws-actions/configure-aws-credentials');
    expect(runs.at(-1)?.log).toContain('aws-actions/configure-aws-credentials');
    expect(w.model.requests).toHaveLength(0);
    expect(w.gh.pulls(OWNER, REPO)).toHaveLength(0);
  });
});
