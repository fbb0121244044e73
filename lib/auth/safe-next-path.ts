const BASE = "http://gatehouse.invalid";

/**
 * A same-site path to return to after sign-in, or null. Accepts only a path that starts with a
 * single "/" and stays on this site once parsed (no "//host", no "/\\host", no control
 * characters), so a `next` parameter can never send someone to another site.
 */
export function safeNextPath(value: unknown): string | null {
  if (typeof value !== "string" || value.length === 0 || value.length > 512) return null;
  if (!value.startsWith("/") || value.startsWith("//") || value.includes("\\")) return null;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return null;
  }
  let url: URL;
  try {
    url = new URL(value, BASE);
  } catch {
    return null;
  }
  if (url.origin !== BASE) return null;
  // The sign-in pages themselves are no destination: they would loop back here.
  if (url.pathname === "/signin" || url.pathname.startsWith("/signin/") || url.pathname.startsWith("/api/")) return null;
  return `${url.pathname}${url.search}`;
}
