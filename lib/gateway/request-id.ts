import { randomBytes } from "node:crypto";

// Random bytes drawn a few kilobytes at a time: one id costs a hex slice, not a call for entropy.
const BYTES_PER_ID = 12;
const IDS_PER_DRAW = 256;
let pool = Buffer.alloc(0);
let offset = 0;

/** A request id for `x-request-id` and the request log: `req_` + 24 random hex characters. */
export function newRequestId(): string {
  if (offset + BYTES_PER_ID > pool.length) {
    pool = randomBytes(BYTES_PER_ID * IDS_PER_DRAW);
    offset = 0;
  }
  const id = `req_${pool.toString("hex", offset, offset + BYTES_PER_ID)}`;
  offset += BYTES_PER_ID;
  return id;
}
