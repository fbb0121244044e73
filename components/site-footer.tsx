import Link from "next/link";

/** Footer of the public pages. */
export function SiteFooter() {
  return (
    <footer className="border-t border-border">
      <div className="mx-auto flex max-w-5xl flex-col gap-4 px-4 py-8 text-sm text-muted sm:flex-row sm:items-center sm:justify-between sm:px-6">
        <p>
          Gatehouse: time-limited access to Claude, OpenAI and Gemini models.
          <br />
          Questions about an order? Sign in and open a support ticket quoting your order id.
        </p>
        <nav aria-label="Footer">
          <ul className="flex gap-4">
            <li>
              <Link href="/" className="hover:text-foreground hover:underline">
                Home
              </Link>
            </li>
            <li>
              <Link href="/setup" className="hover:text-foreground hover:underline">
                Setup guide
              </Link>
            </li>
            <li>
              <Link href="/signin" className="hover:text-foreground hover:underline">
                Sign in
              </Link>
            </li>
          </ul>
        </nav>
      </div>
    </footer>
  );
}
