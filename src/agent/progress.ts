// The agent's stream drives the tracking comment while it works: its TodoWrite checklist and the last
// few actions. At most one edit per 30 s and only when the visible text changed, so a chatty agent
// costs a handful of writes, not one per event (GitHub's secondary limits count every edit).
import type { StreamEvent } from './stream.js';
import { describeToolUses } from './stream.js';

export interface Timers {
  now(): number;
  /** Calls `fn` after `ms`; returns a cancel function. */
  after(ms: number, fn: () => void): () => void;
}

export const realTimers: Timers = {
  now: () => Date.now(),
  after: (ms, fn) => {
    const timer = setTimeout(fn, ms);
    timer.unref();
    return () => clearTimeout(timer);
  },
};

interface Todo {
  content: string;
  status: string;
  activeForm?: string;
}

export interface ProgressOptions {
  /** Writes the progress section into the tracking comment. Errors are reported, never thrown. */
  write: (section: string) => Promise<void>;
  /** Whether an optional write may go now (the shared reserve for final writes, github/reserve.ts). */
  allow?: () => boolean;
  timers?: Timers;
  minIntervalMs?: number;
  maxActions?: number;
  onError?: (error: Error) => void;
}

const MARK: Record<string, string> = { completed: '[x]', in_progress: '[ ] ⏳', pending: '[ ]' };

function todosIn(event: StreamEvent): Todo[] | null {
  if (event.type !== 'assistant') return null;
  for (const block of event.line.message.content) {
    if (block.type !== 'tool_use' || block.name !== 'TodoWrite') continue;
    const todos = (block.input as { todos?: unknown })?.todos;
    if (Array.isArray(todos))
      return todos
        .filter((t): t is Todo => typeof t?.content === 'string')
        .map((t) => ({
          content: t.content,
          status: String(t.status ?? 'pending'),
          activeForm: t.activeForm,
        }));
  }
  return null;
}

export class Progress {
  private todos: Todo[] = [];
  private actions: string[] = [];
  private lastWritten = '';
  private lastWriteAt: number;
  private cancelTimer: (() => void) | null = null;
  private writing: Promise<void> = Promise.resolve();
  private stopped = false;
  /** How many edits were sent (for logs and the benchmark). */
  writes = 0;
  private readonly timers: Timers;
  private readonly interval: number;
  private readonly maxActions: number;

  constructor(private readonly opts: ProgressOptions) {
    this.timers = opts.timers ?? realTimers;
    this.interval = opts.minIntervalMs ?? 30_000;
    this.maxActions = opts.maxActions ?? 5;
    // The comment was just written ("working on it"): the first progress edit waits a full interval.
    this.lastWriteAt = this.timers.now();
  }

  /** Feed every stream event here. */
  readonly onEvent = (event: StreamEvent): void => {
    if (this.stopped) return;
    const todos = todosIn(event);
    if (todos) this.todos = todos;
    if (event.type === 'assistant') {
      const described = describeToolUses(event.line).filter((a) => !a.startsWith('TodoWrite'));
      this.actions = [...this.actions, ...described].slice(-this.maxActions);
    }
    this.schedule();
  };

  render(): string {
    const lines: string[] = [];
    if (this.todos.length) {
      lines.push('**Plan**', ...this.todos.map((t) => `- ${MARK[t.status] ?? '[ ]'} ${oneLine(t.content)}`));
    }
    if (this.actions.length) {
      if (lines.length) lines.push('');
      lines.push('**Recent actions**', ...this.actions.map((a) => `- \`${oneLine(a).replace(/`/g, "'")}\``));
    }
    return lines.join('\n');
  }

  private schedule(): void {
    if (this.cancelTimer || this.render() === this.lastWritten) return;
    const wait = this.lastWriteAt + this.interval - this.timers.now();
    if (wait <= 0) this.flush();
    else
      this.cancelTimer = this.timers.after(wait, () => {
        this.cancelTimer = null;
        this.flush();
      });
  }

  private flush(): void {
    const text = this.render();
    if (this.stopped || text === this.lastWritten) return;
    if (this.opts.allow && !this.opts.allow()) {
      // Over budget: try again one interval later rather than spend the reserve.
      this.lastWriteAt = this.timers.now();
      this.schedule();
      return;
    }
    this.lastWritten = text;
    this.lastWriteAt = this.timers.now();
    this.writes++;
    this.writing = this.writing
      .then(() => this.opts.write(text))
      .catch((error: Error) => this.opts.onError?.(error));
  }

  /** No more edits after this; waits for one in flight (the final write must land after it). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.cancelTimer?.();
    this.cancelTimer = null;
    await this.writing;
  }
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim().slice(0, 120);
}

/**
 * Runs `task` every `everyMs` until stopped (checkpoints while the agent works); one at a time, and
 * `stop()` waits for a run in progress.
 */
export function every(everyMs: number, task: () => Promise<void>, timers: Timers = realTimers) {
  let cancel: (() => void) | null = null;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  const arm = () => {
    cancel = timers.after(everyMs, () => {
      running = task().finally(() => {
        if (!stopped) arm();
      });
    });
  };
  arm();
  return {
    async stop(): Promise<void> {
      stopped = true;
      cancel?.();
      await running.catch(() => undefined);
    },
  };
}

/** Timers on a simulated clock (the benchmark and tests): time moves only with `advance`. */
export function simulatedTimers(start = 0): Timers & { advance(ms: number): void } {
  let now = start;
  const pending: Array<{ at: number; fn: () => void; live: boolean }> = [];
  return {
    now: () => now,
    after(ms, fn) {
      const timer = { at: now + ms, fn, live: true };
      pending.push(timer);
      return () => {
        timer.live = false;
      };
    },
    advance(ms) {
      const end = now + ms;
      for (;;) {
        const due = pending.filter((t) => t.live && t.at <= end).sort((a, b) => a.at - b.at)[0];
        if (!due) break;
        due.live = false;
        now = due.at;
        due.fn();
      }
      now = end;
    },
  };
}
