// The scripted model world: a local Messages API and the pieces to run the real `claude` CLI on it.
//
//   const model = await startModel([write('a.txt', 'hi\n'), bash('npm test'), say('Done.')]);
//   const env = claudeEnv({ baseUrl: model.url, home: tmpHome });
//   const proc = spawnClaude({ args: headlessArgs('Fix it', ['--allowedTools', 'Bash(npm test:*)']), cwd, env });
//   onTestFinished(async () => { proc.kill(); await model.close(); });
//   const run = await proc.done; // run.result?.is_error, toolResults(model.agentRequests()[2])
export { type ClaudeProcess, type ClaudeRun, headlessArgs, type StreamLine, spawnClaude } from './cli.js';
export { CLAUDE_BIN, type ClaudeEnvOptions, claudeEnv, FAKE_API_KEY } from './env.js';
export { lastUserText, type RecordedRequest, type ToolResult, toolResults, workingDir } from './requests.js';
export {
  bash,
  type ErrorTurn,
  edit,
  fail,
  type ModelScript,
  read,
  type ScriptStep,
  type StopReason,
  say,
  type ToolCall,
  type Turn,
  type Usage,
  write,
} from './script.js';
export { looksLikeAgentTurn, type ModelServer, type ModelServerOptions, startModel } from './server.js';
export { parseSse, type SseEvent } from './sse.js';
