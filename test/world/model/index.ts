// The scripted model world: a local Messages API and the pieces to run the real `claude` CLI on it.
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
