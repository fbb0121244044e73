/** A ticket request that cannot be done as asked; the message is for the person who asked. */
export class TicketError extends Error {
  constructor(
    message: string,
    /** The form field at fault, when there is one. */
    readonly field?: string,
  ) {
    super(message);
    this.name = "TicketError";
  }
}

/** Too many new tickets from one account in the window. */
export class TicketRateLimitedError extends TicketError {
  constructor(readonly retryAfterSeconds: number) {
    const minutes = Math.max(1, Math.ceil(retryAfterSeconds / 60));
    super(`You have opened several tickets in the last hour. Add to an open ticket instead, or try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`);
    this.name = "TicketRateLimitedError";
  }
}
