/**
 * The process's stdout and stderr for everything the server writes itself (the logger, progress
 * lines, the banner): writes that never block and never throw (see nonblocking-output.ts), and
 * that go to `<data directory>/spilled-output.log` once the stream has failed or stopped being read.
 *
 * Shared through `globalThis`: server.ts (its own bundle) and the app (bundled by Next) load
 * separate copies of this module in the same process, and both must use one pair of streams, one
 * spill file and one exit handler.
 *
 * No `server-only` import here: server.ts loads this module outside Next's bundler.
 */
import { NonBlockingOutput, SpillFile } from "./nonblocking-output";
import { processSingleton } from "./process-singleton";

export const SPILL_FILE_NAME = "spilled-output.log";

interface Stdio {
  stdout: NonBlockingOutput;
  stderr: NonBlockingOutput;
  spill: SpillFile | undefined;
}

function create(): Stdio {
  const state: Stdio = {} as Stdio;
  const spill = () => state.spill;
  state.stdout = new NonBlockingOutput(process.stdout, { name: "stdout", spill });
  state.stderr = new NonBlockingOutput(process.stderr, { name: "stderr", spill });
  // Whatever ends the process, the lines the streams have not taken yet survive in the file.
  process.on("exit", () => {
    state.stdout.spillPending("exit");
    state.stderr.spillPending("exit");
  });
  return state;
}

function stdio(): Stdio {
  return processSingleton("stdio", create);
}

/** The process's stdout: `stdout.write(line)` never blocks or throws. The logger writes here. */
export const stdout: NonBlockingOutput = stdio().stdout;
/** The process's stderr, likewise. */
export const stderr: NonBlockingOutput = stdio().stderr;

/** Where lines go that stdout or stderr cannot take: `<dataDir>/spilled-output.log` in the server. */
export function spillOutputTo(path: string): void {
  stdio().spill = new SpillFile(path);
}

/**
 * Node makes a terminal's stdout and stderr blocking: a terminal that stops taking output (Ctrl+S)
 * would stop the server at its next line. Non-blocking, such a line waits in memory (and counts
 * towards the backlog limit) like one for a pipe. For the long-running server only: a short
 * command that exits right after printing wants every line out first.
 */
export function makeTerminalOutputNonBlocking(): void {
  for (const stream of [process.stdout, process.stderr]) {
    if (!stream.isTTY) continue;
    const handle = (stream as { _handle?: { setBlocking?: (blocking: boolean) => unknown } })._handle;
    handle?.setBlocking?.(false);
  }
}
