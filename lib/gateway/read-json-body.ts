import "server-only";
import { GatewayError } from "@/lib/errors";
import { clientSignal } from "@/lib/server/node-host";
import { readLimitedBody } from "@/lib/server/read-limited-body";
import { ClientGoneError } from "./gateway-call";

/** Largest request body accepted (long contexts with images fit; runaway uploads do not). */
export const MAX_BODY_BYTES = 32 * 1024 * 1024;

const utf8 = new TextDecoder();

/**
 * Reads and parses a JSON object body within the size limit. Reading stops at the limit: a body
 * over it (declared or chunked) is refused with 413 `request_too_large` without being read whole.
 */
export async function readJsonBody(request: Request, maxBytes: number = MAX_BODY_BYTES): Promise<{ raw: Uint8Array; body: Record<string, unknown> }> {
  let read: Uint8Array | "too_large";
  try {
    read = await readLimitedBody(request, maxBytes);
  } catch (err) {
    // The client went away while sending its body: nothing to answer, nothing to bill.
    if (clientSignal(request).aborted) throw new ClientGoneError();
    throw err;
  }
  if (read === "too_large") throw new GatewayError("request_too_large", { maxBytes });
  const raw = read;
  let body: unknown;
  try {
    body = JSON.parse(utf8.decode(raw));
  } catch {
    throw new GatewayError("invalid_request", { reason: "the body is not valid JSON" });
  }
  if (!body || typeof body !== "object" || Array.isArray(body)) throw new GatewayError("invalid_request", { reason: "the body must be a JSON object" });
  return { raw, body: body as Record<string, unknown> };
}
