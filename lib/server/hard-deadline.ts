/**
 * The last resort behind the shutdown's deadline timer. A timer cannot fire while the main thread
 * is blocked (a synchronous loop in a hook or a library), and then only SIGKILL ends the process.
 * A worker thread has its own thread: it sleeps until the deadline and sends that SIGKILL itself,
 * so the process ends even then. Its exit status (killed by SIGKILL) says the shutdown was not
 * clean, and the embedded database's lock it leaves behind is recognised as stale at the next
 * start (lib/db/pglite-lock.ts).
 *
 * The worker exists only from the shutdown signal on, and is unref'd: it never keeps a process
 * alive that is otherwise done.
 */
import { Worker } from "node:worker_threads";

// Plain JavaScript evaluated by the worker, so it works the same from the bundle and under tsx.
// Nothing is written before the kill: a write to a full pipe could block this thread as well.
const WORKER_SOURCE = `
const { workerData } = require("node:worker_threads");
Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, workerData.afterMs);
process.kill(workerData.pid, "SIGKILL");
`;

/** Kills this process with SIGKILL after `afterMs` unless it has ended; returns a disarm function. */
export function armHardDeadline(afterMs: number): () => void {
  // No execArgv: under `npm run dev` it would load tsx's module hooks into the worker, whose start
  // then waits on the (possibly blocked) main thread. Its output is kept off the process's stdio.
  let worker: Worker;
  try {
    worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { pid: process.pid, afterMs }, execArgv: [], env: {}, stdout: true, stderr: true });
  } catch {
    return () => {}; // no thread to be had: the deadline timer is all there is
  }
  worker.unref();
  worker.on("error", () => {});
  return () => void worker.terminate();
}
