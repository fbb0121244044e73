import { expect } from "vitest";

// `notFound()` and `redirect()` stop a request by throwing errors that Next recognises by their
// digest; tests of code that calls them assert on that digest.

/** Asserts that `promise` rejects the way `notFound()` does (a 404). */
export async function expectNotFound(promise: Promise<unknown>): Promise<void> {
  await expect(promise).rejects.toMatchObject({ digest: expect.stringMatching(/^NEXT_HTTP_ERROR_FALLBACK;404/) });
}

/** Asserts that `promise` rejects the way `redirect(path)` does. */
export async function expectRedirect(promise: Promise<unknown>, path: string): Promise<void> {
  await expect(promise).rejects.toMatchObject({ digest: expect.stringContaining(`NEXT_REDIRECT;replace;${path};`) });
}
