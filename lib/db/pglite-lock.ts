import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import { join } from "node:path";
import { stderr } from "@/lib/server/stdio";

// PGlite has no lock of its own: two processes opening one data directory corrupt it. A pid file,
// created exclusively, makes the second opener fail with a clear message instead.
//
// The file is removed by `close()` and, failing that, by an 'exit' handler: every way the server
// ends runs it (its signals all go through process.exit, as do uncaught errors). Only a process
// killed outright (SIGKILL, a crash of Node itself, a power cut) leaves it behind; the next opener
// sees that its pid is not running, says so, and takes the lock over.

export class DataDirBusyError extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(
      `The embedded database in ${dataDir} is in use by process ${pid}. Only one process can open it; ` +
        "stop that process, or let it run the command (the CLI does this by itself while the server runs).",
    );
    this.name = "DataDirBusyError";
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

export interface LockOptions {
  /** Receives the one line saying a stale lock was taken over; stderr by default. */
  notice?: (line: string) => void;
}

/** Takes the data directory's lock for this process; returns the release function. */
export function lockDataDir(dataDir: string, options: LockOptions = {}): () => void {
  const notice = options.notice ?? ((line: string) => void stderr.write(line));
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const path = join(dataDir, "gatehouse.pid");
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, "wx", 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        try {
          if (readFileSync(path, "utf8").trim() === String(process.pid)) unlinkSync(path);
        } catch {
          // already gone
        }
      };
      process.once("exit", release);
      return release;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const pid = Number.parseInt(readFileSync(path, "utf8").trim(), 10);
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) throw new DataDirBusyError(dataDir, pid);
      // A stale lock from a process that died: take it over.
      try {
        unlinkSync(path);
        const holder = Number.isInteger(pid) && pid > 0 ? `process ${pid}, which is no longer running` : "a process that did not finish writing it";
        notice(`Removed the stale lock ${path}, left by ${holder}; a killed process leaves it behind.\n`);
      } catch {
        // another process removed it first; try again
      }
    }
  }
  throw new Error(`Could not lock ${dataDir}`);
}

/** The pid holding the data directory, if a live process does. */
export function dataDirHolder(dataDir: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(join(dataDir, "gatehouse.pid"), "utf8").trim(), 10);
    return Number.isInteger(pid) && pid > 0 && isAlive(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}
