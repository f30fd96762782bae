// The agent's answer after a read-only investigation: a diagnosis and, at most, the NAME of one playbook.
// It is untrusted text: parsed with zod, and the name counts only when it is a playbook of this service
// in the inventory and of a tier this run may run. The agent never supplies a command.
import { z } from 'zod';
import type { Playbook, Service } from './inventory.js';

export const Proposal = z.object({
  diagnosis: z.string().min(1).max(4000),
  playbook: z.string().max(100).nullable().default(null),
});
export type Proposal = z.infer<typeof Proposal>;

/** The last ```json block of the agent's final text (or the text itself when it is JSON). */
export function parseProposal(text: string): Proposal | null {
  const blocks = [...text.matchAll(/```json\s*\n([\s\S]*?)\n```/g)].map((m) => m[1]);
  const candidates = [...blocks.reverse(), text.trim()];
  for (const candidate of candidates) {
    try {
      const parsed = Proposal.safeParse(JSON.parse(candidate));
      if (parsed.success) return parsed.data;
    } catch {
      // not JSON: try the next candidate
    }
  }
  return null;
}

export type Choice =
  | { kind: 'none' }
  | { kind: 'unknown'; name: string }
  | { kind: 'tier2'; book: Playbook }
  | { kind: 'tier3'; book: Playbook };

/** What the proposed name means for this service; anything not in its inventory is `unknown`. */
export function choiceOf(service: Service, proposal: Proposal): Choice {
  if (!proposal.playbook) return { kind: 'none' };
  const book = service.playbooks.find((p) => p.name === proposal.playbook);
  if (!book) return { kind: 'unknown', name: proposal.playbook };
  return book.tier === 2 ? { kind: 'tier2', book } : { kind: 'tier3', book };
}
