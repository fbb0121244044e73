/**
 * The digest Next.js attaches to an error thrown on the server: an opaque id that matches the
 * server log, safe to show and to quote to support. Error messages are never shown, because a
 * client-side error keeps its original message, which may contain internals.
 */
export function errorDigest(error: unknown): string | undefined {
  if (typeof error === "object" && error !== null && "digest" in error) {
    const { digest } = error as { digest: unknown };
    if (typeof digest === "string" && digest.length > 0) return digest;
  }
  return undefined;
}
