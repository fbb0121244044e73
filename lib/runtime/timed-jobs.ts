import { logger } from "@/lib/server/logger";

// The one place that runs work on a timer in the server process. Each job runs every interval
// with ±20 % jitter (several instances started together do not sweep in lockstep), never overlaps
// itself, and stop() waits for a run in progress, so the database is still open while it ends.
// Correctness never depends on the timer: every job is safe to run on several instances at once.

export interface TimedJob {
  name: string;
  intervalMs: number;
  /** `signal` aborts at stop(): a long run should end at its next safe point. */
  run: (signal: AbortSignal) => Promise<unknown>;
}

export interface TimedJobs {
  /** Stops the timers and resolves once runs in progress have finished. */
  stop(): Promise<void>;
}

const JITTER = 0.2;
/** The first run comes soon after start-up, not a whole interval later. */
const FIRST_RUN_MAX_MS = 10_000;

const log = logger.child({ component: "timed-jobs" });

export function startTimedJobs(jobs: readonly TimedJob[], random: () => number = Math.random): TimedJobs {
  let stopped = false;
  const abort = new AbortController();
  const timers = new Set<NodeJS.Timeout>();
  const running = new Set<Promise<void>>();

  const schedule = (job: TimedJob, delayMs: number) => {
    if (stopped) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      const run = job
        .run(abort.signal)
        .then(
          () => undefined,
          (err: unknown) => log.error({ err, job: job.name }, "timed job failed"),
        )
        .finally(() => {
          running.delete(run);
          schedule(job, job.intervalMs * (1 - JITTER + 2 * JITTER * random()));
        });
      running.add(run);
    }, delayMs);
    // A pending sweep never keeps the process alive on its own.
    timer.unref();
    timers.add(timer);
  };

  for (const job of jobs) schedule(job, Math.min(job.intervalMs, FIRST_RUN_MAX_MS) * random());

  return {
    async stop() {
      stopped = true;
      abort.abort();
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await Promise.all([...running]);
    },
  };
}
