import { randomUUID } from "node:crypto";

/**
 * A request id for `x-request-id` and the request log: `req_` + 24 hex characters. randomUUID
 * draws from Node's pooled entropy, cheaper per call than randomBytes on the hot path.
 */
export function newRequestId(): string {
  return `req_${randomUUID().replaceAll("-", "").slice(0, 24)}`;
}
