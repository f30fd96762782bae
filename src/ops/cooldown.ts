// Cooldowns from the ledger: a playbook may run at most `max-per-window` times per service in its window.
// The ledger is a git ref, so the count survives cache eviction and new runners.
import type { OpsRecord } from '../ledger/records.js';
import { allowanceOf, type Playbook } from './inventory.js';

export interface Cooldown {
  allowed: boolean;
  used: number;
  max: number;
  windowHours: number;
  /** When the oldest run in the window leaves it (ISO), when the allowance is used up. */
  nextAt?: string;
}

export function cooldownOf(service: string, book: Playbook, records: OpsRecord[], nowMs: number): Cooldown {
  const { max, windowHours } = allowanceOf(book);
  const windowMs = windowHours * 3_600_000;
  const runs = records
    .filter((r) => r.event === 'remediated' && r.service === service && r.playbook === book.name)
    .map((r) => Date.parse(r.at))
    .filter((at) => nowMs - at < windowMs)
    .sort((a, b) => a - b);
  if (runs.length < max) return { allowed: true, used: runs.length, max, windowHours };
  const nextAt = new Date(runs[runs.length - max] + windowMs).toISOString();
  return { allowed: false, used: runs.length, max, windowHours, nextAt };
}
