// How long the gateway's in-process caches keep what they read before reading it again, when no
// invalidation has arrived first. Apart from the caches so the browser specs, which check that an
// invalidation (not an expiry) reached another instance, can read them without loading the gateway.

/** A key read by its HMAC, found or not (key-cache.ts). */
export const KEY_CACHE_TTL_MS = 30_000;
/** Channels and prices (catalog.ts). */
export const CATALOG_TTL_MS = 5_000;
