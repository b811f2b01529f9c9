/**
 * The bounded queue behind password hashing (a sign-in flood must not queue unbounded Argon2 work).
 * Jobs are held open with promises
 * the test resolves, so "full" is an exact state, not a race: no timing, no sleeps.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { WorkQueue, WorkQueueFull } from '../../lib/auth/work-queue';

/** A job that runs until the test says so; `started` records whether the queue ever ran it. */
function heldJob<T = string>() {
  let finish!: (value: T) => void;
  let fail!: (error: Error) => void;
  const done = new Promise<T>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  const job = { started: false, finish, fail, run: () => ((job.started = true), done) };
  return job;
}

/** Lets already-settled promise callbacks run (microtasks and one macrotask turn). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('WorkQueue (hashing flood)', () => {
  test('hashing flood: with every slot running and the line full, the next job is refused at once and never started', async () => {
    const queue = new WorkQueue(2, 3);
    const jobs = Array.from({ length: 5 }, () => heldJob());
    const accepted = jobs.map((job) => queue.run(job.run));
    assert.deepEqual(queue.stats(), { running: 2, waiting: 3, concurrency: 2, queueLimit: 3 });
    assert.deepEqual(jobs.map((j) => j.started), [true, true, false, false, false]);

    const extra = heldJob();
    await assert.rejects(queue.run(extra.run), WorkQueueFull);
    assert.equal(extra.started, false, 'refused work is never started');
    assert.deepEqual(queue.stats(), { running: 2, waiting: 3, concurrency: 2, queueLimit: 3 }, 'a refusal takes no place');

    jobs.forEach((job, i) => job.finish(`job ${i}`));
    assert.deepEqual(await Promise.all(accepted), ['job 0', 'job 1', 'job 2', 'job 3', 'job 4'], 'no accepted work is lost');
    assert.deepEqual(queue.stats(), { running: 0, waiting: 0, concurrency: 2, queueLimit: 3 });
  });

  test('a failing job gives its slot back, and so does every job after it: the queue does not leak slots', async () => {
    const queue = new WorkQueue(1, 1);
    const failing = heldJob();
    const waiting = heldJob();
    const first = queue.run(failing.run);
    const second = queue.run(waiting.run);
    await assert.rejects(queue.run(heldJob().run), WorkQueueFull);

    failing.fail(new Error('argon2 failed'));
    await assert.rejects(first, /argon2 failed/);
    await settle();
    assert.equal(waiting.started, true, 'the slot passed to the job that was waiting');
    waiting.fail(new Error('again'));
    await assert.rejects(second, /again/);
    assert.deepEqual(queue.stats(), { running: 0, waiting: 0, concurrency: 1, queueLimit: 1 });

    // A job that throws before returning a promise is released too.
    await assert.rejects(
      queue.run(() => {
        throw new Error('synchronous');
      }),
      /synchronous/,
    );
    assert.equal(await queue.run(async () => 'runs'), 'runs');
    assert.deepEqual(queue.stats(), { running: 0, waiting: 0, concurrency: 1, queueLimit: 1 });
  });

  test('a freed slot goes to the job waiting longest, not to a newcomer', async () => {
    const queue = new WorkQueue(1, 2);
    const [running, first, second, newcomer] = Array.from({ length: 4 }, () => heldJob());
    const results = [running, first, second].map((job) => queue.run(job.run));
    running.finish('done');
    await settle();
    assert.deepEqual([first.started, second.started], [true, false]);
    results.push(queue.run(newcomer.run));
    first.finish('done');
    await settle();
    assert.deepEqual([second.started, newcomer.started], [true, false], 'the earlier waiter runs first');
    second.finish('done');
    await settle();
    assert.equal(newcomer.started, true);
    newcomer.finish('done');
    await Promise.all(results);
  });

  test('a queue limit of 0 means no waiting at all: run now or be refused', async () => {
    const queue = new WorkQueue(1, 0);
    const running = heldJob();
    const result = queue.run(running.run);
    await assert.rejects(queue.run(heldJob().run), WorkQueueFull);
    running.finish('done');
    await result;
  });
});
