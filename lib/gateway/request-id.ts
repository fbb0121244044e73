import { randomBytes } from "node:crypto";

/** A request id for `x-request-id` and the request log: `req_` + 24 hex characters. */
export function newRequestId(): string {
  return `req_${randomBytes(12).toString("hex")}`;
}
