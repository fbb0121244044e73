"use client";

import { errorDigest } from "@/components/error-digest";

type GlobalErrorProps = {
  error: unknown;
  reset: () => void;
  retry?: () => void;
};

// Replaces the root layout when the layout itself fails, so it cannot rely on globals.css or any
// component that might be the cause: plain elements and inline styles only.
export default function GlobalError({ error, reset, retry }: GlobalErrorProps) {
  const digest = errorDigest(error);
  const tryAgain = retry ?? reset;

  return (
    <html lang="en">
      <body
        style={{
          margin: 0,
          colorScheme: "light dark",
          fontFamily: 'ui-sans-serif, system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif',
          lineHeight: 1.5,
        }}
      >
        <title>Something went wrong · Gatehouse</title>
        <main style={{ maxWidth: "36rem", margin: "0 auto", padding: "4rem 1rem" }}>
          <h1 style={{ fontSize: "1.75rem", margin: "0 0 1rem" }}>Something went wrong</h1>
          <p>Gatehouse could not show this page. Please try again in a moment.</p>
          {digest ? (
            <p>
              If it keeps happening, open a support ticket and quote this reference: <code>{digest}</code>
            </p>
          ) : null}
          <p style={{ display: "flex", gap: "1rem", alignItems: "center" }}>
            <button type="button" onClick={() => tryAgain()} style={{ font: "inherit", padding: "0.5rem 1rem" }}>
              Try again
            </button>
            {/* A full page load on purpose: the client router may be what broke. */}
            {/* eslint-disable-next-line @next/next/no-html-link-for-pages */}
            <a href="/">Go to the home page</a>
          </p>
        </main>
      </body>
    </html>
  );
}
