/** The part of a pino logger used here, so tests can pass a recorder. */
export interface LevelLogger {
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/**
 * Logs a repeated problem at most once per interval, with the number of occurrences it left out,
 * so an outage that fails every request writes one line every few seconds, not one per request.
 *
 * No `server-only` import here: server.ts loads this module (through the usage writer) outside
 * Next's bundler.
 */
export class ThrottledLog {
  private last = 0;
  private suppressed = 0;

  constructor(
    private readonly logger: LevelLogger,
    private readonly level: "warn" | "error",
    private readonly intervalMs = 5000,
  ) {}

  log(obj: Record<string, unknown>, msg: string): void {
    const now = Date.now();
    if (now - this.last < this.intervalMs) {
      this.suppressed += 1;
      return;
    }
    this.last = now;
    this.logger[this.level]({ ...obj, suppressed: this.suppressed }, msg);
    this.suppressed = 0;
  }
}

/** A thrown value's message and code, small enough for a log line. */
export function errorSummary(err: unknown): { message: string; code?: string } {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return { message: err.message, ...(typeof code === "string" ? { code } : {}) };
  }
  return { message: String(err) };
}
