// The five task sizes Pilot routes on, spelled once for triage, routing and the tracking comment.

export const LEVELS = ['trivial', 'simple', 'medium', 'complex', 'epic'] as const;
export type Level = (typeof LEVELS)[number];

/** The issue text triage looks at: what a reader of the issue page sees, nothing fetched. */
export interface TriageInput {
  title: string;
  body: string;
  labels: string[];
}

/** Every measurement the decision used, so the tracking comment and tests can show why. */
export type Signals = Record<string, number | string | boolean>;

export interface Classification {
  level: Level;
  /** One sentence a human can check against the issue ("label size/xl", "4 files, 9 checklist items"). */
  reason: string;
  signals: Signals;
}
