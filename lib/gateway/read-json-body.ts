import "server-only";
import { GatewayError } from "@/lib/errors";
import { ClientGoneError } from "./gateway-call";

/** Largest request body accepted (long contexts with images fit; runaway uploads do not). */
export const MAX_BODY_BYTES = 32 * 1024 * 1024;

const utf8 = new TextDecoder();

/** Reads and parses a JSON object body within the size limit. */
export async function readJsonBody(request: Request): Promise<{ raw: Uint8Array; body: Record<string, unknown> }> {
  const declared = Number(request.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > MAX_BODY_BYTES) throw new GatewayError("request_too_large", { maxBytes: MAX_BODY_BYTES });
  let raw: Uint8Array;
  try {
    raw = new Uint8Array(await request.arrayBuffer());
  } catch (err) {
    // The client went away while sending its body: nothing to answer, nothing to bill.
    if (request.signal.aborted) throw new ClientGoneError();
    throw err;
  }
  if (raw.byteLength > MAX_BODY_BYTES) throw new GatewayError("request_too_large", { maxBytes: MAX_BODY_BYTES });
  let body: unknown;
  try {
    body = JSON.parse(utf8.decode(raw));
  } catch {
    throw new GatewayError("invalid_request", { reason: "the body is not valid JSON" });
  }
  if (!body || typeof body !== "object" || Array.isArray(body)) throw new GatewayError("invalid_request", { reason: "the body must be a JSON object" });
  return { raw, body: body as Record<string, unknown> };
}
