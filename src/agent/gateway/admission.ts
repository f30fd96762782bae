// Admission of Messages requests: at most `limit` upstream at once, in arrival order, each holding a
// reservation in the ledger. Requests past the limit wait instead of being refused (the CLI runs
// subagents and side requests in parallel; a refusal would end a turn). A request whose reservation
// does not fit under the cap also waits while others are in flight, since they usually settle below
// their worst case and free budget; once nothing is in flight it can never fit, and it is refused.
import type { Charge, Ledger } from './ledger.js';
import { type Price, type PriceRule, priceFor } from './prices.js';

export type Admit = { kind: 'go'; charge: Charge } | { kind: 'over-budget' } | { kind: 'gone' };

interface Waiter {
  reservedUsd: number;
  resolve(admit: Admit): void;
}

export class Admission {
  private running = 0;
  private readonly waiting: Waiter[] = [];

  constructor(
    private readonly limit: number,
    private readonly ledger: Ledger,
  ) {}

  /** Settles when the request may go (holding its reservation), is refused, or its client left. */
  enter(reservedUsd: number, signal: AbortSignal): Promise<Admit> {
    if (signal.aborted) return Promise.resolve({ kind: 'gone' });
    return new Promise<Admit>((resolve) => {
      const waiter: Waiter = { reservedUsd, resolve };
      this.waiting.push(waiter);
      signal.addEventListener(
        'abort',
        () => {
          const at = this.waiting.indexOf(waiter);
          if (at < 0) return;
          this.waiting.splice(at, 1);
          resolve({ kind: 'gone' });
          this.pump();
        },
        { once: true },
      );
      this.pump();
    });
  }

  private pump(): void {
    while (this.waiting.length > 0 && this.running < this.limit) {
      const head = this.waiting[0];
      const fits = this.ledger.fits(head.reservedUsd);
      if (!fits && !this.ledger.tripped() && this.running > 0) return;
      this.waiting.shift();
      if (!fits) {
        this.ledger.overBudget(head.reservedUsd);
        head.resolve({ kind: 'over-budget' });
        continue;
      }
      this.running += 1;
      const charge = this.ledger.reserve(head.reservedUsd, () => {
        this.running -= 1;
        this.pump();
      });
      head.resolve({ kind: 'go', charge });
    }
  }
}

/**
 * Request bytes per input token assumed for the reservation. Text and code run at about 3-4 bytes per
 * token, JSON's punctuation and CJK text nearer 3; images are far fewer tokens than their base64. The
 * input side is an estimate only until the answer starts: its `message_start` reports the exact input
 * (cache writes and reads included) and the meter counts it at once.
 */
const BYTES_PER_TOKEN = 3;

/**
 * What a request may cost: its estimated input at the input price, `max_tokens` of output (exact: the
 * API never generates more), and each permitted web search.
 */
export function worstCaseUsd(
  request: { bytes: number; model: string; maxTokens: number; webSearches: number },
  prices: readonly PriceRule[],
): number {
  const price: Price = priceFor(request.model, prices);
  const input = Math.ceil(request.bytes / BYTES_PER_TOKEN) * price.input;
  const output = request.maxTokens * price.output;
  return (input + output) / 1_000_000 + request.webSearches * price.webSearch;
}
