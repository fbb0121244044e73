import { afterEach, beforeEach, expect, it, vi } from "vitest";
import { startTimedJobs } from "./timed-jobs";

beforeEach(() => void vi.useFakeTimers());
afterEach(() => void vi.useRealTimers());

it("runs a job every interval with jitter, never two runs at once, and stop() waits for the run in progress", async () => {
  let runs = 0;
  let active = 0;
  let maxActive = 0;
  let finish: (() => void) | undefined;
  const jobs = startTimedJobs(
    [
      {
        name: "sweep",
        intervalMs: 60_000,
        run: () => {
          runs += 1;
          active += 1;
          maxActive = Math.max(maxActive, active);
          return new Promise<void>((resolve) => {
            finish = () => {
              active -= 1;
              resolve();
            };
          });
        },
      },
    ],
    () => 0.5,
  );
  await vi.advanceTimersByTimeAsync(5_000); // first run: half of 10 s
  expect(runs).toBe(1);
  await vi.advanceTimersByTimeAsync(300_000); // still running: no second run
  expect(runs).toBe(1);
  finish!();
  await vi.advanceTimersByTimeAsync(59_999);
  expect(runs).toBe(1);
  await vi.advanceTimersByTimeAsync(1);
  expect(runs).toBe(2);
  let stopped = false;
  const stopping = jobs.stop().then(() => (stopped = true));
  await vi.advanceTimersByTimeAsync(0);
  expect(stopped).toBe(false);
  finish!();
  await stopping;
  await vi.advanceTimersByTimeAsync(600_000);
  expect(runs).toBe(2);
  expect(maxActive).toBe(1);
});
