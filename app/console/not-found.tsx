import type { Metadata } from "next";
import { ButtonLink } from "@/components/ui/button";

export const metadata: Metadata = { title: "Page not found" };

/** A 404 inside the console: the console's header and navigation stay around it. */
export default function ConsoleNotFound() {
  return (
    <div className="flex max-w-2xl flex-col gap-6 py-8">
      <p className="text-sm font-medium text-muted">Error 404</p>
      <h1 className="text-3xl font-semibold tracking-tight">Page not found</h1>
      <p className="text-muted">
        Nothing in the console has this address, or what it named (an order, key, ticket or request) does not exist. Use the navigation or search from the
        console&apos;s overview.
      </p>
      <div className="flex flex-wrap gap-3">
        <ButtonLink href="/console">Console overview</ButtonLink>
        <ButtonLink href="/console/requests" variant="secondary">
          Find a request
        </ButtonLink>
      </div>
    </div>
  );
}
