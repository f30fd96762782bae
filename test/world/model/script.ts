// What a test scripts the model to do, and helpers that build turns with the exact tool input shapes
// Claude Code 2.1.33x declares in its request's `tools` array (recorded from a real run):
//   Write {file_path, content}  Edit {file_path, old_string, new_string, replace_all?}
//   Bash {command, description?, timeout?, run_in_background?}  Read {file_path, offset?, limit?}
import path from 'node:path';
import type { RecordedRequest } from './requests.js';
import { workingDir } from './requests.js';

export type StopReason = 'end_turn' | 'tool_use' | 'max_tokens' | 'stop_sequence' | 'refusal' | 'pause_turn';

export interface Usage {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens?: number;
  cache_creation_input_tokens?: number;
}

export interface ToolCall {
  name: string;
  input: Record<string, unknown>;
}

/** One assistant message: optional text, then tool calls in order. */
export interface Turn {
  text?: string;
  tools?: ToolCall[];
  usage?: Usage;
  /** Wait this long before answering (the response is dropped if the client goes away first). */
  delayMs?: number;
  /** Defaults to `tool_use` when the turn calls tools, else `end_turn`. */
  stopReason?: StopReason;
}

/** An HTTP error answer in Anthropic's error shape. */
export interface ErrorTurn {
  error: { status: number; type: string; message: string };
  /** Without it the response carries `x-should-retry: false`, so the CLI gives up at once. */
  shouldRetry?: boolean;
  delayMs?: number;
}

export type ScriptStep = Turn | ErrorTurn | ((req: RecordedRequest) => Turn | ErrorTurn);
export type ModelScript = ScriptStep[];

export const DEFAULT_USAGE: Usage = { input_tokens: 100, output_tokens: 20 };

export function isErrorTurn(step: Turn | ErrorTurn): step is ErrorTurn {
  return 'error' in step;
}

export function say(text: string, extra: Omit<Turn, 'text'> = {}): Turn {
  return { ...extra, text };
}

/**
 * A tool call whose `file_path` may be relative: it is resolved against the CLI's working directory,
 * which the CLI states in its prompt ("Primary working directory: …"), because the tools want
 * absolute paths and the test often does not know the temp dir when it writes the script.
 */
function fileTool(name: string, file: string, rest: Record<string, unknown>): ScriptStep {
  if (path.isAbsolute(file)) return { tools: [{ name, input: { file_path: file, ...rest } }] };
  return (req) => {
    const cwd = workingDir(req);
    if (!cwd) throw new Error(`cannot resolve relative path ${file}: no working directory in the request`);
    return { tools: [{ name, input: { file_path: path.join(cwd, file), ...rest } }] };
  };
}

export function write(file: string, content: string): ScriptStep {
  return fileTool('Write', file, { content });
}

export function edit(file: string, oldString: string, newString: string): ScriptStep {
  return fileTool('Edit', file, { old_string: oldString, new_string: newString });
}

export function read(file: string): ScriptStep {
  return fileTool('Read', file, {});
}

export function bash(command: string, description = 'Run a command'): Turn {
  return { tools: [{ name: 'Bash', input: { command, description } }] };
}

/** An error answer, e.g. `fail(401, 'authentication_error', 'invalid x-api-key')`. */
export function fail(status: number, type: string, message: string, shouldRetry = false): ErrorTurn {
  return { error: { status, type, message }, shouldRetry };
}
