import { nodeHostOf } from "./node-host";

/**
 * Reads a request body up to `maxBytes` and no further. A declared `Content-Length` over the
 * limit is refused before a byte is read; a body without one (chunked) is read chunk by chunk and
 * the stream is cancelled as soon as the total passes the limit, so a client cannot make the
 * server buffer more than the limit (plus one chunk) whatever it sends.
 *
 * Returns the bytes, or `"too_large"`. Errors of the stream itself (a client gone mid-upload) are
 * passed on for the caller to interpret.
 *
 * Under a node host (node-host.ts) the body is read from the socket by the host itself.
 *
 * No `server-only` import here: lib/server modules may be loaded outside Next's bundler.
 */
export async function readLimitedBody(request: Request, maxBytes: number): Promise<Uint8Array | "too_large"> {
  const host = nodeHostOf(request);
  const declared = request.headers.get("content-length");
  if (declared !== null && /^\d+$/.test(declared.trim()) && Number(declared) > maxBytes) {
    if (host) host.refuseBody();
    else await request.body?.cancel().catch(() => undefined);
    return "too_large";
  }
  if (host) return host.readBody(maxBytes);
  if (request.body === null) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return "too_large";
    }
    chunks.push(value);
  }
  if (chunks.length === 1 && chunks[0]) return chunks[0];
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}
