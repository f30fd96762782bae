// The real `claude` CLI (pinned devDependency) against the scripted model server, offline.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { headlessArgs, spawnClaude } from './cli.js';
import { claudeEnv, FAKE_API_KEY } from './env.js';
import { lastUserText, toolResults } from './requests.js';
import { bash, edit, fail, type ModelScript, say, write } from './script.js';
import { type ModelServer, startModel } from './server.js';

interface Sandbox {
  model: ModelServer;
  workspace: string;
  env: Record<string, string>;
}

/** A model server, a fresh HOME and an empty workspace, all torn down when the test ends. */
async function sandbox(script: ModelScript): Promise<Sandbox> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'pilot-claude-'));
  const workspace = path.join(root, 'workspace');
  mkdirSync(workspace);
  const model = await startModel(script);
  onTestFinished(async () => {
    await model.close();
    rmSync(root, { recursive: true, force: true });
  });
  return { model, workspace, env: claudeEnv({ baseUrl: model.url, home: path.join(root, 'home') }) };
}

async function runClaude(box: Sandbox, prompt: string, extra: string[] = []) {
  const proc = spawnClaude({ args: headlessArgs(prompt, extra), cwd: box.workspace, env: box.env });
  onTestFinished(() => proc.kill());
  return proc.done;
}

describe('the real claude CLI against the scripted model', () => {
  it('writes and edits a file in its working directory', async () => {
    const box = await sandbox([
      write('notes/hello.txt', 'hello world\n'),
      edit('notes/hello.txt', 'world', 'pilot'),
      say('Wrote notes/hello.txt.'),
    ]);

    const run = await runClaude(box, 'Create notes/hello.txt');

    expect(run.exitCode).toBe(0);
    expect(readFileSync(path.join(box.workspace, 'notes/hello.txt'), 'utf8')).toBe('hello pilot\n');
    expect(run.result).toMatchObject({
      subtype: 'success',
      is_error: false,
      result: 'Wrote notes/hello.txt.',
    });
    // The prompt reached the model as the latest user turn, and only the agent loop talked to it.
    expect(lastUserText(box.model.requests[0])).toContain('Create notes/hello.txt');
    expect(box.model.requests.every((r) => r.isAgentTurn)).toBe(true);
    expect(box.model.requests[0].headers['x-api-key']).toBe(FAKE_API_KEY);
  });

  it('runs an allowed Bash command and streams every step as stream-json', async () => {
    const box = await sandbox([
      bash('echo hi > out.txt && cat out.txt', 'Write hi to out.txt'),
      say('Ran it.', { usage: { input_tokens: 1000, output_tokens: 50 } }),
    ]);

    const run = await runClaude(box, 'Say hi into out.txt', ['--allowedTools', 'Bash(echo:*)']);

    expect(run.exitCode).toBe(0);
    expect(readFileSync(path.join(box.workspace, 'out.txt'), 'utf8')).toBe('hi\n');
    expect(run.lines.map((l) => (l.subtype ? `${l.type}/${l.subtype}` : l.type))).toEqual([
      'system/init',
      'assistant',
      'user',
      'assistant',
      'result/success',
    ]);
    const init = run.lines[0];
    expect(init.cwd).toBe(box.workspace);
    expect(init.tools).toEqual(expect.arrayContaining(['Bash', 'Edit', 'Read', 'Write']));
    expect(run.result).toMatchObject({
      is_error: false,
      num_turns: 2,
      session_id: init.session_id,
      terminal_reason: 'completed',
      permission_denials: [],
      // The CLI adds up the usage the server reported (100 + 1000 in, 20 + 50 out) and prices it.
      usage: { input_tokens: 1100, output_tokens: 70 },
    });
    expect(run.result?.total_cost_usd).toBeGreaterThan(0);
    // The command's output came back to the model as the Bash tool's result.
    const results = toolResults(box.model.agentRequests()[1]);
    expect(results).toEqual([expect.objectContaining({ name: 'Bash', content: 'hi', is_error: false })]);
  });

  it('reports a command it may not run as a permission denial, and the model is told so', async () => {
    const box = await sandbox([bash('node -e "console.log(1)"'), say('Could not run node.')]);

    const run = await runClaude(box, 'Run node');

    expect(run.exitCode).toBe(0);
    expect(run.lines).toContainEqual(
      expect.objectContaining({ type: 'system', subtype: 'permission_denied' }),
    );
    expect(run.result?.permission_denials).toEqual([
      expect.objectContaining({
        tool_name: 'Bash',
        tool_input: expect.objectContaining({ command: 'node -e "console.log(1)"' }),
      }),
    ]);
    expect(toolResults(box.model.agentRequests()[1])).toEqual([
      expect.objectContaining({ name: 'Bash', is_error: true }),
    ]);
  });

  it('fails at once on a 401 that says not to retry', { timeout: 30_000 }, async () => {
    const box = await sandbox([fail(401, 'authentication_error', 'invalid x-api-key')]);

    const run = await runClaude(box, 'Anything');

    expect(run.exitCode).toBe(1);
    expect(run.result).toMatchObject({
      is_error: true,
      terminal_reason: 'api_error',
      api_error_status: 401,
    });
    // x-should-retry: false is why it is fast: the CLI asked exactly once.
    expect(box.model.requests).toHaveLength(1);
  });
});
