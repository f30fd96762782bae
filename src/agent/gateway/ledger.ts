// The gateway's running totals and its cost cap. Every forwarded Messages request holds a reservation
// (its worst-case cost) while it runs; a new one is admitted only if the spend so far, what the open
// ones may still cost, and its own reservation fit under the cap. An answer that ends with its usage
// settles to that usage; one that ends without (client gone, upstream cut) is charged its reservation,
// since the upstream may have generated and billed more than the gateway saw.

import type { UsageSink } from './meter.js';
import { costOf, type PriceRule, priceFor, type TokenCounts } from './prices.js';

export interface GatewayUsage {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  /** Everything charged, at list prices: metered usage plus reservations of answers without usage. */
  costUsd: number;
  /** The part of `costUsd` charged at the reservation because an answer ended without its usage. */
  unmeteredUsd: number;
  /** Messages requests forwarded upstream. */
  requests: number;
  /** Requests refused because the cap was reached or their reservation did not fit under it. */
  refused: number;
}

/** One forwarded request's reservation; `close` exactly once, when its answer is over. */
export interface Charge {
  /** Where the meter reports this answer's usage. */
  readonly sink: UsageSink;
  /** `metered`: the answer ended with its usage (or was not billed: an error status). */
  close(metered: boolean): void;
}

interface Open {
  reservedUsd: number;
  spentUsd: number;
}

export class Ledger {
  private readonly totals: GatewayUsage = {
    inputTokens: 0,
    outputTokens: 0,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    costUsd: 0,
    unmeteredUsd: 0,
    requests: 0,
    refused: 0,
  };
  private readonly open = new Set<Open>();
  private trippedAt: number | undefined;

  constructor(
    private readonly maxCostUsd: number,
    private readonly prices: readonly PriceRule[],
    private readonly onTrip: (usage: GatewayUsage, why: string) => void = () => {},
  ) {}

  usage(): GatewayUsage {
    return { ...this.totals };
  }

  tripped(): boolean {
    return this.trippedAt !== undefined;
  }

  countRefusal(): void {
    this.totals.refused += 1;
  }

  /** What the open requests may still cost beyond what their meters have counted. */
  outstandingUsd(): number {
    let sum = 0;
    for (const o of this.open) sum += Math.max(0, o.reservedUsd - o.spentUsd);
    return sum;
  }

  fits(reservedUsd: number): boolean {
    return !this.tripped() && this.totals.costUsd + this.outstandingUsd() + reservedUsd <= this.maxCostUsd;
  }

  /** A request whose reservation can never fit: nothing is in flight to free budget, so the cap is done. */
  overBudget(reservedUsd: number): void {
    this.trip(`a request that may cost $${reservedUsd.toFixed(4)} does not fit`);
  }

  /** Opens a reservation; `onClose` runs after it is settled (the admission queue moves on then). */
  reserve(reservedUsd: number, onClose: () => void): Charge {
    const entry: Open = { reservedUsd, spentUsd: 0 };
    this.open.add(entry);
    this.totals.requests += 1;
    let model: string | undefined;
    let closed = false;
    const sink: UsageSink = {
      model: (m) => {
        model = m;
      },
      add: (tokens) => {
        entry.spentUsd += this.add(tokens, model);
      },
    };
    const close = (metered: boolean) => {
      if (closed) return;
      closed = true;
      this.open.delete(entry);
      if (!metered) this.charge(Math.max(0, entry.reservedUsd - entry.spentUsd));
      onClose();
    };
    return { sink, close };
  }

  private charge(usd: number): void {
    this.totals.costUsd += usd;
    this.totals.unmeteredUsd += usd;
    if (this.totals.costUsd >= this.maxCostUsd) this.trip('spend reached the cap');
  }

  private add(tokens: TokenCounts, model: string | undefined): number {
    const usd = costOf(tokens, priceFor(model, this.prices));
    this.totals.inputTokens += tokens.input;
    this.totals.outputTokens += tokens.output;
    this.totals.cacheReadTokens += tokens.cacheRead;
    this.totals.cacheWriteTokens += tokens.cacheWrite;
    this.totals.costUsd += usd;
    if (this.totals.costUsd >= this.maxCostUsd) this.trip('spend reached the cap');
    return usd;
  }

  private trip(why: string): void {
    if (this.trippedAt !== undefined) return;
    this.trippedAt = Date.now();
    this.onTrip(this.usage(), why);
  }
}
