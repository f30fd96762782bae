// The bench's figures: every target as min / median / max of several runs, in one format.

export interface Spread {
  min: number;
  median: number;
  max: number;
}

export function spread(values: number[]): Spread {
  if (values.length === 0) throw new Error('no samples');
  const sorted = [...values].sort((a, b) => a - b);
  return { min: sorted[0], median: sorted[Math.floor(sorted.length / 2)], max: sorted[sorted.length - 1] };
}

/** `min 1.2 / median 1.4 / max 2.0 s` */
export function spreadText(s: Spread, unit: string, digits = 0): string {
  const f = (n: number) => n.toFixed(digits);
  return `min ${f(s.min)} / median ${f(s.median)} / max ${f(s.max)} ${unit}`;
}

/** Runs `fn` `n` times one after another and returns what each run measured. */
export async function sample(n: number, fn: (i: number) => Promise<number>): Promise<number[]> {
  const values: number[] = [];
  for (let i = 0; i < n; i++) values.push(await fn(i));
  return values;
}

/** Runs `fn` with the toolkit's own log lines (`::debug::`, `[command]…`, cache progress) off the output. */
export async function quietly<T>(fn: () => Promise<T>): Promise<T> {
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = (() => true) as typeof process.stdout.write;
  try {
    return await fn();
  } finally {
    process.stdout.write = write;
  }
}
