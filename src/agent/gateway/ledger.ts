// The gateway's running totals and its cost cap.

import type { UsageSink } from './meter.js';
import { costOf, type PriceRule, priceFor, type TokenCounts } from './prices.js';

export interface GatewayUsage {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  costUsd: number;
  /** Messages requests forwarded upstream. */
  requests: number;
  /** Requests refused because the cap was reached. */
  refused: number;
}

export class Ledger {
  private readonly totals: GatewayUsage = {
    inputTokens: 0,
    outputTokens: 0,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    costUsd: 0,
    requests: 0,
    refused: 0,
  };
  private trippedAt: number | undefined;

  constructor(
    private readonly maxCostUsd: number,
    private readonly prices: readonly PriceRule[],
    private readonly onTrip: (usage: GatewayUsage) => void = () => {},
  ) {}

  usage(): GatewayUsage {
    return { ...this.totals };
  }

  tripped(): boolean {
    return this.trippedAt !== undefined;
  }

  countRequest(): void {
    this.totals.requests += 1;
  }

  countRefusal(): void {
    this.totals.refused += 1;
  }

  /** A sink for one response: it learns its model from the answer and prices increments by it. */
  sink(): UsageSink {
    let model: string | undefined;
    return {
      model: (m) => {
        model = m;
      },
      add: (tokens) => this.add(tokens, model),
    };
  }

  private add(tokens: TokenCounts, model: string | undefined): void {
    this.totals.inputTokens += tokens.input;
    this.totals.outputTokens += tokens.output;
    this.totals.cacheReadTokens += tokens.cacheRead;
    this.totals.cacheWriteTokens += tokens.cacheWrite;
    this.totals.costUsd += costOf(tokens, priceFor(model, this.prices));
    if (this.trippedAt === undefined && this.totals.costUsd >= this.maxCostUsd) {
      this.trippedAt = Date.now();
      this.onTrip(this.usage());
    }
  }
}
