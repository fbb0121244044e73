import Link from "next/link";
import { ButtonLink } from "./ui/button";

/** Header of the public pages (home, 404). The portal and console bring their own navigation. */
export function SiteHeader() {
  return (
    <header className="border-b border-border">
      <div className="mx-auto flex h-16 max-w-5xl items-center justify-between gap-4 px-4 sm:px-6">
        <Link href="/" className="text-lg font-semibold tracking-tight text-foreground no-underline">
          Gatehouse
        </Link>
        <nav aria-label="Main">
          <ul className="flex items-center gap-2 sm:gap-4">
            <li>
              <Link href="/setup" className="rounded-md px-2 py-1 text-sm text-muted hover:text-foreground hover:underline">
                Setup guide
              </Link>
            </li>
            <li>
              <ButtonLink href="/signin" size="sm">
                Sign in
              </ButtonLink>
            </li>
          </ul>
        </nav>
      </div>
    </header>
  );
}
