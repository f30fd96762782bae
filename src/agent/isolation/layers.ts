// The isolation layers of one run and how they are reported (job summary, tracking comment).
export type LayerName =
  | 'model gateway'
  | 'separate user'
  | 'sandbox'
  | 'Claude Code settings'
  | 'environment allowlist';

export interface Layer {
  name: LayerName;
  ok: boolean;
  /** What is in place, or why it is missing. */
  detail: string;
}

/** Filled in while the agent runs, read when the run is reported. */
export interface IsolationReport {
  layers: Layer[];
  /** Where the model was served from, for the summary (`Amazon Bedrock (us-east-1)`); set once the gateway runs. */
  provider?: string;
}

export function missingLayers(report: IsolationReport): Layer[] {
  return report.layers.filter((l) => !l.ok);
}

/** One table row: which layers are missing, or that all are in place. */
export function isolationRow(report: IsolationReport): [string, string] | undefined {
  if (!report.layers.length) return undefined;
  const missing = missingLayers(report);
  return [
    'Isolation',
    missing.length ? `missing: ${missing.map((l) => l.name).join(', ')}` : 'all layers in place',
  ];
}

/** The reasons, for the comment body: a maintainer can act on them (install bubblewrap, …). */
export function isolationNote(report: IsolationReport): string | undefined {
  const missing = missingLayers(report);
  if (!missing.length) return undefined;
  const lines = missing.map((l) => `- **${l.name}**: ${l.detail}`);
  return `**Weaker isolation:** these layers of agent isolation were not in place (set \`require-isolation: true\` to fail instead):\n${lines.join('\n')}`;
}

export class IsolationRequired extends Error {
  constructor(readonly missing: Layer[]) {
    super(
      `require-isolation is set and ${missing.length === 1 ? 'a layer' : 'layers'} of agent isolation could not be set up: ${missing
        .map((l) => `${l.name} (${l.detail})`)
        .join('; ')}`,
    );
  }
}
