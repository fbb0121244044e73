/** Every page's `<main>` carries this id, so the skip link lands on the content wherever it is. */
export const MAIN_CONTENT_ID = "main-content";

/**
 * The first focusable element of every page: keyboard and screen-reader users jump past the
 * header and navigation. Hidden until focused.
 */
export function SkipLink() {
  return (
    <a
      href={`#${MAIN_CONTENT_ID}`}
      className="sr-only focus:not-sr-only focus:fixed focus:top-3 focus:left-3 focus:z-50 focus:rounded-md focus:bg-accent focus:px-4 focus:py-2 focus:text-sm focus:font-medium focus:text-accent-foreground"
    >
      Skip to content
    </a>
  );
}
