"use client";

import { useEffect } from "react";
import { errorDigest } from "@/components/error-digest";
import { isNewReleaseError, useReloadForNewRelease } from "@/components/new-release";
import { MAIN_CONTENT_ID } from "@/components/skip-link";
import { Button, ButtonLink } from "@/components/ui/button";

type ErrorPageProps = {
  error: unknown;
  reset: () => void;
  retry?: () => void;
};

export default function ErrorPage({ error, reset, retry }: ErrorPageProps) {
  useEffect(() => {
    // Kept in the browser console for whoever is debugging; the page itself never shows it.
    console.error(error);
  }, [error]);
  useReloadForNewRelease(error);

  if (isNewReleaseError(error)) {
    return (
      <main id={MAIN_CONTENT_ID} tabIndex={-1} className="flex flex-1 items-center focus:outline-none">
        <div className="mx-auto flex w-full max-w-2xl flex-col gap-6 px-4 py-16 sm:px-6">
          <h1 className="text-3xl font-semibold tracking-tight">Gatehouse was just updated</h1>
          <p className="text-muted">
            This page was loaded from the previous version, so what you just did was not carried out. Reload the page and do it again; what you typed on it may
            need to be entered again.
          </p>
          <div className="flex flex-wrap gap-3">
            <Button onClick={() => window.location.reload()}>Reload the page</Button>
          </div>
        </div>
      </main>
    );
  }

  const digest = errorDigest(error);

  // `retry` refetches the segment from the server before re-rendering, which is what clears an
  // error that came from a server component; plain `reset` would redraw the same failed payload.
  const tryAgain = retry ?? reset;

  return (
    <main id={MAIN_CONTENT_ID} tabIndex={-1} className="flex flex-1 items-center focus:outline-none">
      <div className="mx-auto flex w-full max-w-2xl flex-col gap-6 px-4 py-16 sm:px-6">
        <h1 className="text-3xl font-semibold tracking-tight">Something went wrong</h1>
        <p className="text-muted">This page could not be shown. It is usually temporary: try again in a moment. Your keys and orders are not affected.</p>
        {digest ? (
          <p className="text-muted">
            If it keeps happening, open a support ticket and quote this reference:{" "}
            <code className="rounded bg-surface px-1.5 py-0.5 text-foreground select-all">{digest}</code>
          </p>
        ) : (
          <p className="text-muted">If it keeps happening, open a support ticket and say what you were doing.</p>
        )}
        <div className="flex flex-wrap gap-3">
          <Button onClick={() => tryAgain()}>Try again</Button>
          <ButtonLink href="/" variant="secondary">
            Go to the home page
          </ButtonLink>
        </div>
      </div>
    </main>
  );
}
