// What the runner reads back from a step: the file commands (GITHUB_OUTPUT, GITHUB_STATE, GITHUB_ENV,
// GITHUB_PATH) and the workflow commands printed on stdout (`::error::`, `::add-mask::`).
// Formats: https://docs.github.com/actions/reference/workflow-commands-for-github-actions

/**
 * Parses `name=value` lines and `name<<DELIMITER` … `DELIMITER` blocks, the way the runner's
 * SetEnvFileCommand/SetOutputFileCommand do. Later values win.
 */
export function parseKeyValueFile(text: string, label: string): Record<string, string> {
  const result: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line === '') continue;
    const equals = line.indexOf('=');
    const heredoc = line.indexOf('<<');
    if (equals >= 0 && (heredoc < 0 || equals < heredoc)) {
      result[requireName(line.slice(0, equals), label)] = line.slice(equals + 1);
      continue;
    }
    if (heredoc < 0) throw new Error(`${label}: invalid line ${JSON.stringify(line)}`);
    const name = requireName(line.slice(0, heredoc), label);
    const delimiter = line.slice(heredoc + 2);
    const end = lines.indexOf(delimiter, i + 1);
    if (!delimiter || end < 0) throw new Error(`${label}: no closing delimiter ${JSON.stringify(delimiter)}`);
    result[name] = lines.slice(i + 1, end).join('\n');
    i = end;
  }
  return result;
}

function requireName(name: string, label: string): string {
  if (!name) throw new Error(`${label}: a line has an empty name`);
  return name;
}

/** GITHUB_PATH: one directory per line. */
export function parsePathFile(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
}

export type AnnotationLevel = 'error' | 'warning' | 'notice';

export interface Annotation {
  level: AnnotationLevel;
  message: string;
  title?: string;
  file?: string;
  line?: number;
}

export interface WorkflowCommands {
  annotations: Annotation[];
  /** Values registered with `::add-mask::`. */
  masks: string[];
}

const unescapeData = (s: string) => s.replace(/%0D/gi, '\r').replace(/%0A/gi, '\n').replace(/%25/g, '%');
const unescapeProperty = (s: string) => unescapeData(s).replace(/%3A/gi, ':').replace(/%2C/gi, ',');

/** Reads `::command key=value,…::message` lines (leading whitespace allowed, like the runner). */
export function parseWorkflowCommands(stdout: string): WorkflowCommands {
  const out: WorkflowCommands = { annotations: [], masks: [] };
  for (const raw of stdout.split(/\r?\n/)) {
    const line = raw.trimStart();
    if (!line.startsWith('::')) continue;
    const end = line.indexOf('::', 2);
    if (end < 0) continue;
    const [command, ...rest] = line.slice(2, end).split(' ');
    const message = unescapeData(line.slice(end + 2));
    const props = parseProperties(rest.join(' '));
    if (command === 'add-mask') out.masks.push(message);
    if (command === 'error' || command === 'warning' || command === 'notice') {
      out.annotations.push({
        level: command,
        message,
        ...(props.title !== undefined && { title: props.title }),
        ...(props.file !== undefined && { file: props.file }),
        ...(props.line !== undefined && { line: Number(props.line) }),
      });
    }
  }
  return out;
}

function parseProperties(text: string): Record<string, string> {
  const props: Record<string, string> = {};
  for (const pair of text.split(',')) {
    const eq = pair.indexOf('=');
    if (eq > 0) props[pair.slice(0, eq).trim()] = unescapeProperty(pair.slice(eq + 1));
  }
  return props;
}

/** What a user sees in the log: every registered secret replaced by `***`. */
export function maskSecrets(text: string, secrets: string[]): string {
  let masked = text;
  for (const secret of [...secrets].filter(Boolean).sort((a, b) => b.length - a.length)) {
    masked = masked.split(secret).join('***');
  }
  return masked;
}
