import type { Prisma } from "@/lib/db";
import { getSweepSettings, runNotificationSweep } from "@/lib/notifications";
import { startTimedJobs, type TimedJobs } from "./timed-jobs";

/**
 * The server's timed work, started once the server listens: the sweep that closes resolved
 * tickets and sends reminders and spend alerts (lib/notifications), every SWEEP_INTERVAL_SECONDS.
 */
export function startSweeps(db: () => Prisma, intervalMs: number): TimedJobs {
  const settings = getSweepSettings();
  return startTimedJobs([{ name: "notification sweep", intervalMs, run: (signal) => runNotificationSweep(db(), { ...settings, signal }) }]);
}
