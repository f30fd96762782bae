// The runner image's rules as pure functions: each returns the violations it finds (empty = ok), so
// the tests can show a rule passes on our Dockerfile AND catches a bad one.
import { DockerfileParser, type Instruction } from 'dockerfile-ast';

export const AGENT_USER = 'pilot-agent';
export const BASE_IMAGE = 'ghcr.io/actions/actions-runner';
export const REQUIRED_LABELS = [
  'org.opencontainers.image.source',
  'org.opencontainers.image.version',
  'org.opencontainers.image.revision',
  'org.opencontainers.image.title',
  'org.opencontainers.image.description',
  'org.opencontainers.image.licenses',
];

export function parseDockerfile(text: string) {
  return DockerfileParser.parse(text);
}

/** Defaults of the ARGs declared before the first FROM (the only ones FROM can use). */
export function initialArgs(text: string): Map<string, string | null> {
  const args = new Map<string, string | null>();
  for (const arg of parseDockerfile(text).getInitialARGs()) {
    const property = arg.getProperty();
    if (property) args.set(property.getName(), property.getValue());
  }
  return args;
}

function substitute(value: string, args: Map<string, string | null>): string {
  return value.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a: string | undefined, b: string | undefined) => {
    return args.get(a ?? b ?? '') ?? '';
  });
}

/** Every FROM names the official runner image (or an earlier stage) by a version ARG and a digest. */
export function baseImageViolations(text: string): string[] {
  const dockerfile = parseDockerfile(text);
  const args = initialArgs(text);
  const stages = new Set<string>();
  const problems: string[] = [];
  const froms = dockerfile.getFROMs();
  if (froms.length < 2) problems.push(`expected a multi-stage build, found ${froms.length} FROM`);
  for (const from of froms) {
    const raw = from.getImage() ?? '';
    const stage = from.getBuildStage();
    if (stages.has(raw)) {
      if (stage) stages.add(stage);
      continue;
    }
    const [nameAndTag, digest] = substitute(raw, args).split('@');
    const tagAt = nameAndTag.lastIndexOf(':');
    const name = tagAt > nameAndTag.indexOf('/') ? nameAndTag.slice(0, tagAt) : nameAndTag;
    const tag = tagAt > nameAndTag.indexOf('/') ? nameAndTag.slice(tagAt + 1) : '';
    if (name !== BASE_IMAGE) problems.push(`FROM ${raw}: base must be ${BASE_IMAGE}`);
    if (!/\$\{?RUNNER_VERSION\}?/.test(raw))
      problems.push(`FROM ${raw}: tag must come from ARG RUNNER_VERSION`);
    if (!/^\d+\.\d+\.\d+$/.test(tag))
      problems.push(`FROM ${raw}: tag '${tag}' is not a pinned x.y.z version`);
    if (!/^sha256:[0-9a-f]{64}$/.test(digest ?? '')) problems.push(`FROM ${raw}: no sha256 digest pinned`);
    if (stage) stages.add(stage);
  }
  return problems;
}

/** The image's last USER is a non-root user. */
export function finalUserViolations(text: string): string[] {
  const users = parseDockerfile(text)
    .getInstructions()
    .filter((i) => i.getKeyword() === 'USER');
  const last = users.at(-1)?.getArgumentsContent()?.trim();
  if (!last) return ['no USER instruction: the image would run as root'];
  const name = last.split(':')[0];
  return ['root', '0'].includes(name) ? [`final USER is ${last}`] : [];
}

function runs(text: string): Instruction[] {
  return parseDockerfile(text)
    .getInstructions()
    .filter((i) => i.getKeyword() === 'RUN');
}

/** Every apt install skips recommends and drops the package lists in the same layer. */
export function aptViolations(text: string): string[] {
  const problems: string[] = [];
  for (const run of runs(text)) {
    const body = run.getArgumentsContent() ?? '';
    if (!/\bapt(-get)?\s+(-\S+\s+)*install\b/.test(body)) continue;
    const line = run.getRange().start.line + 1;
    if (!body.includes('--no-install-recommends'))
      problems.push(`line ${line}: apt install without --no-install-recommends`);
    if (!/rm\s+-rf\s+\/var\/lib\/apt\/lists/.test(body))
      problems.push(`line ${line}: apt install without rm -rf /var/lib/apt/lists/* in the same RUN`);
  }
  return problems;
}

/** The non-comment lines of a shell script. */
export function codeLines(script: string): string[] {
  return script.split('\n').filter((line) => !/^\s*#/.test(line));
}

/**
 * Sudo rules that let a user run commands without a password are allowed only when they run as the
 * agent user. Works on sudoers text and on the scripts/Dockerfile that write it.
 */
export function passwordlessSudoViolations(text: string): string[] {
  return codeLines(text)
    .filter((line) => /NOPASSWD/.test(line))
    .filter((line) => !/ALL=\((pilot-agent|\$\{?AGENT_USER\}?)\)\s+NOPASSWD:/.test(line))
    .map((line) => `passwordless sudo beyond the agent user: ${line.trim()}`);
}

// A curl/wget command (at the start of a command), not the word in `apt-get install curl`.
const DOWNLOADER = /(^|&&|\|\||[;|(]|\$\()\s*(curl|wget)\s/;
const VERIFIER = /\bsha256sum\s+(-c\b|--check\b)/;

interface ShellFunction {
  name: string;
  body: string[];
}

function shellFunctions(script: string): { functions: ShellFunction[]; topLevel: string[] } {
  const functions: ShellFunction[] = [];
  const topLevel: string[] = [];
  let current: ShellFunction | undefined;
  for (const line of codeLines(script)) {
    const start = /^(\w+)\(\)\s*\{/.exec(line);
    if (start && !current) current = { name: start[1], body: [] };
    else if (current && /^\}/.test(line)) {
      functions.push(current);
      current = undefined;
    } else if (current) current.body.push(line);
    else topLevel.push(line);
  }
  return { functions, topLevel };
}

/**
 * Every download in a shell script is followed by a checksum check: curl/wget may only run inside
 * "downloader" functions, and each call of a downloader must be followed, in the same function, by a
 * call of a function that runs `sha256sum -c` (or by sha256sum -c itself).
 */
export function scriptDownloadViolations(script: string, file: string): string[] {
  const { functions, topLevel } = shellFunctions(script);
  const problems = topLevel
    .filter((l) => DOWNLOADER.test(l))
    .map((l) => `${file}: download outside a function: ${l.trim()}`);
  const downloaders = new Set(
    functions.filter((f) => f.body.some((l) => DOWNLOADER.test(l))).map((f) => f.name),
  );
  const verifiers = new Set(functions.filter((f) => f.body.some((l) => VERIFIER.test(l))).map((f) => f.name));
  const calls = (line: string, names: Set<string>) =>
    [...names].some((n) => new RegExp(`(^|[\\s;&|(])${n}\\b`).test(line));
  for (const fn of functions) {
    if (downloaders.has(fn.name)) continue;
    fn.body.forEach((line, index) => {
      if (!calls(line, downloaders) && !DOWNLOADER.test(line)) return;
      const rest = fn.body.slice(index + 1);
      if (!rest.some((l) => calls(l, verifiers) || VERIFIER.test(l)))
        problems.push(`${file}: ${fn.name}() downloads without a checksum check afterwards: ${line.trim()}`);
    });
  }
  if (downloaders.size > 0 && verifiers.size === 0)
    problems.push(`${file}: downloads but never runs sha256sum -c`);
  return problems;
}

/** A RUN in the Dockerfile that downloads must verify a checksum in the same RUN. */
export function dockerfileDownloadViolations(text: string): string[] {
  return runs(text)
    .filter((run) => DOWNLOADER.test(run.getArgumentsContent() ?? ''))
    .filter((run) => !VERIFIER.test(run.getArgumentsContent() ?? ''))
    .map((run) => `line ${run.getRange().start.line + 1}: RUN downloads without sha256sum -c`);
}

export function labelNames(text: string): string[] {
  return parseDockerfile(text)
    .getInstructions()
    .filter((i) => i.getKeyword() === 'LABEL')
    .flatMap((i) =>
      (i as unknown as { getProperties(): { getName(): string }[] }).getProperties().map((p) => p.getName()),
    );
}
