/**
 * A bounded queue for expensive work: at most `concurrency` jobs run at once, at most `queueLimit` wait,
 * and a job beyond that is refused at once instead of joining an ever-longer line (CWE-770). Used for
 * Argon2 (lib/auth/password-hashing.ts). In process memory on purpose: it protects this process's CPU;
 * fairness between clients is the per-IP limit's job. Why: docs/decisions/0056-bounded-password-hashing.md.
 */

export type WorkQueueStats = { running: number; waiting: number; concurrency: number; queueLimit: number };

/** Thrown by `run` when every slot is taken and the line is full; the job was never started. */
export class WorkQueueFull extends Error {
  override name = 'WorkQueueFull';
  constructor() {
    super('The work queue is full.');
  }
}

export class WorkQueue {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    readonly concurrency: number,
    readonly queueLimit: number,
  ) {
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError('concurrency must be a positive integer');
    if (!Number.isInteger(queueLimit) || queueLimit < 0) throw new RangeError('queueLimit must be a non-negative integer');
  }

  /**
   * Runs `job` when a slot is free. The decision to refuse is synchronous, so a full queue rejects
   * before any of the caller's later work happens; a slot is released however the job ends.
   */
  run<T>(job: () => Promise<T>): Promise<T> {
    if (this.running < this.concurrency) {
      this.running++;
      return this.runInSlot(job);
    }
    if (this.waiting.length >= this.queueLimit) return Promise.reject(new WorkQueueFull());
    return new Promise<void>((resolve) => this.waiting.push(resolve)).then(() => this.runInSlot(job));
  }

  /** True when `run` would refuse right now. */
  isFull(): boolean {
    return this.running >= this.concurrency && this.waiting.length >= this.queueLimit;
  }

  stats(): WorkQueueStats {
    return { running: this.running, waiting: this.waiting.length, concurrency: this.concurrency, queueLimit: this.queueLimit };
  }

  private async runInSlot<T>(job: () => Promise<T>): Promise<T> {
    try {
      return await job();
    } finally {
      this.release();
    }
  }

  /** The slot passes straight to the next in line, so a newcomer cannot overtake someone waiting. */
  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running--;
  }
}
