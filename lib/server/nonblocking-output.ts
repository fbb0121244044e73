/**
 * Output that can neither block the process nor take it down: for the logger and every line the
 * server prints.
 *
 * pino's own destination (sonic-boom) retries a full pipe (EAGAIN) by sleeping the main thread in
 * `Atomics.wait`, and at exit it writes synchronously until every byte is out. When whatever reads
 * stdout stops reading but keeps the pipe open, that loop never ends: no timer, signal handler or
 * deadline runs again and only SIGKILL stops the process. Here lines go through a Node stream
 * (process.stdout: libuv writes what the pipe takes and queues the rest, never waiting), and the
 * stream is only trusted while it works:
 *  - once it fails (EPIPE when the reader has gone, EIO from a closed terminal) it is not written
 *    to again;
 *  - while more than `maxPendingBytes` wait to be taken (a reader that stopped reading), new lines
 *    skip it until it catches up.
 * Lines that skip the stream, and lines still waiting when a flush gives up or the process exits,
 * are appended to the spill file when there is one (a regular file in the data directory: its
 * writes complete), otherwise dropped and counted.
 */
import { closeSync, fstatSync, mkdirSync, openSync, renameSync, writeSync } from "node:fs";
import { dirname } from "node:path";

/** What is used of the stream: process.stdout, process.stderr, a child's stdin, a test stream. */
export interface OutputStream {
  write(chunk: string, callback: (err?: Error | null) => void): boolean;
  on(event: "error", listener: (err: Error) => void): unknown;
  readonly destroyed?: boolean;
  readonly writable?: boolean;
}

export const DEFAULT_MAX_PENDING_BYTES = 1024 * 1024;
export const DEFAULT_FLUSH_TIMEOUT_MS = 500;
export const DEFAULT_SPILL_MAX_BYTES = 16 * 1024 * 1024;

/**
 * An append-only file for lines the stream could not take. It keeps the newest lines: past
 * `maxBytes` the file is renamed to `<path>.1` (replacing the previous one) and started again.
 * Owner-only, like the rest of the data directory. After a failure (disk full, no directory) it
 * stops trying and `append` answers false.
 */
export class SpillFile {
  private fd: number | undefined;
  private size = 0;
  private broken = false;
  private readonly maxBytes: number;

  constructor(
    readonly path: string,
    options: { maxBytes?: number } = {},
  ) {
    this.maxBytes = options.maxBytes ?? DEFAULT_SPILL_MAX_BYTES;
  }

  append(text: string): boolean {
    if (this.broken) return false;
    try {
      const bytes = Buffer.byteLength(text);
      if (this.fd !== undefined && this.size > 0 && this.size + bytes > this.maxBytes) {
        closeSync(this.fd);
        this.fd = undefined;
        renameSync(this.path, `${this.path}.1`);
      }
      if (this.fd === undefined) {
        mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
        this.fd = openSync(this.path, "a", 0o600);
        this.size = fstatSync(this.fd).size;
      }
      writeSync(this.fd, text);
      this.size += bytes;
      return true;
    } catch {
      this.broken = true;
      return false;
    }
  }
}

export interface NonBlockingOutputOptions {
  /** Names the stream in the notes written to the spill file ("stdout"). */
  name: string;
  /** Bytes that may wait for the stream before new lines skip it. Default 1 MiB. */
  maxPendingBytes?: number;
  /** How long `flush` waits for the stream before spilling what is still waiting. Default 500 ms. */
  flushTimeoutMs?: number;
  /** The spill file, looked up on each use: it is set once the data directory is known. */
  spill: () => SpillFile | undefined;
}

interface Pending {
  chunk: string;
  /** False for a line that must not reach the spill file. */
  spillable: boolean;
  /** Already copied to the spill file (by a flush that gave up on it). */
  spilled: boolean;
}

export interface OutputStats {
  /** Lines the stream took. */
  written: number;
  /** Lines written to the spill file instead. */
  spilled: number;
  /** Lines lost: no spill file, or it failed, or the line was not to be spilled. */
  dropped: number;
  /** Bytes given to the stream and not yet taken. */
  pendingBytes: number;
  /** The error code that ended the use of the stream, if it failed. */
  failed: string | undefined;
}

/** A pino destination (`write`, `flush`) and a plain line writer for the server's own output. */
export class NonBlockingOutput {
  private readonly pending = new Set<Pending>();
  private pendingBytes = 0;
  private failed: string | undefined;
  private skipping = false;
  private flushWaiters: (() => void)[] = [];
  private counts = { written: 0, spilled: 0, dropped: 0 };
  private readonly maxPendingBytes: number;
  private readonly flushTimeoutMs: number;

  constructor(
    private readonly stream: OutputStream,
    private readonly options: NonBlockingOutputOptions,
  ) {
    this.maxPendingBytes = options.maxPendingBytes ?? DEFAULT_MAX_PENDING_BYTES;
    this.flushTimeoutMs = options.flushTimeoutMs ?? DEFAULT_FLUSH_TIMEOUT_MS;
    // Without a listener, an EPIPE on process.stdout is an uncaught exception.
    stream.on("error", (err) => this.fail(err));
  }

  /**
   * Writes `chunk` (whole lines) to the stream, or to the spill file when the stream has failed or
   * is not keeping up. Never throws and never waits. `spill: false` drops the line instead of
   * spilling it, for lines that must not be kept on disk.
   */
  write(chunk: string, options: { spill?: boolean } = {}): boolean {
    if (this.failed === undefined && (this.stream.destroyed === true || this.stream.writable === false)) {
      this.fail(Object.assign(new Error("stream closed"), { code: "ECLOSED" }));
    }
    if (this.failed !== undefined) return this.divert(chunk, options.spill);
    if (this.skipping && this.pendingBytes <= this.maxPendingBytes / 2) this.skipping = false;
    if (!this.skipping && this.pendingBytes >= this.maxPendingBytes) {
      this.skipping = true;
      this.note(`${this.options.name} is not being read (${this.pendingBytes} bytes waiting): lines go here until it catches up`);
    }
    if (this.skipping) return this.divert(chunk, options.spill);

    const entry: Pending = { chunk, spillable: options.spill !== false, spilled: false };
    this.pending.add(entry);
    this.pendingBytes += chunk.length;
    try {
      this.stream.write(chunk, (err) => this.settle(entry, err ?? undefined));
    } catch (err) {
      this.settle(entry, err as Error);
    }
    return true;
  }

  /**
   * Calls back once every line given to the stream has been taken, or after the flush timeout,
   * when the lines still waiting are copied to the spill file. Never waits longer.
   */
  flush(callback: (err?: Error) => void = () => {}): void {
    if (this.pending.size === 0) {
      setImmediate(callback);
      return;
    }
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      callback();
    };
    const timer = setTimeout(() => {
      this.spillPending("flush timeout");
      finish();
    }, this.flushTimeoutMs);
    timer.unref();
    this.flushWaiters.push(finish);
  }

  /**
   * Copies the lines the stream has not taken yet to the spill file (each line once). Called at
   * exit: what is still queued in memory then is lost with the process.
   */
  spillPending(why: string): void {
    const waiting = [...this.pending].filter((entry) => !entry.spilled);
    if (waiting.length === 0) return;
    this.note(`${waiting.length} lines had not been taken by ${this.options.name} (${why}); they follow`);
    for (const entry of waiting) {
      entry.spilled = true;
      this.divert(entry.chunk, entry.spillable);
    }
  }

  stats(): OutputStats {
    return { ...this.counts, pendingBytes: this.pendingBytes, failed: this.failed };
  }

  private settle(entry: Pending, err: Error | undefined): void {
    if (!this.pending.delete(entry)) return;
    this.pendingBytes -= entry.chunk.length;
    if (err) {
      this.fail(err, entry);
    } else {
      this.counts.written += 1;
    }
    if (this.pending.size === 0) for (const waiter of this.flushWaiters.splice(0)) waiter();
  }

  /** `first`: the line whose write failed, older than every line still waiting. */
  private fail(err: Error, first?: Pending): void {
    if (this.failed !== undefined) {
      if (first && !first.spilled) this.divert(first.chunk, first.spillable);
      return;
    }
    this.failed = (err as NodeJS.ErrnoException).code ?? err.message;
    this.note(`${this.options.name} failed (${this.failed}): lines go here from now on`);
    // Nothing more will be taken: what is still waiting comes here, in order.
    const waiting = first ? [first, ...this.pending] : [...this.pending];
    this.pending.clear();
    this.pendingBytes = 0;
    for (const entry of waiting) if (!entry.spilled) this.divert(entry.chunk, entry.spillable);
    for (const waiter of this.flushWaiters.splice(0)) waiter();
  }

  private divert(chunk: string, spill = true): boolean {
    if (spill && this.options.spill()?.append(chunk)) {
      this.counts.spilled += 1;
      return true;
    }
    this.counts.dropped += 1;
    return false;
  }

  /** A line in the spill file saying why the lines after it are there (shaped like a log line). */
  private note(msg: string): void {
    this.options.spill()?.append(`${JSON.stringify({ level: 40, time: new Date().toISOString(), pid: process.pid, msg })}\n`);
  }
}
