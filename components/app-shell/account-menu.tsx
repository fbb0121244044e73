"use client";

import Link from "next/link";
import { useEffect, useId, useRef, useState } from "react";
import { signOutAction } from "@/app/_actions/sign-out";
import { Badge } from "@/components/ui/badge";
import { SubmitButton } from "@/components/ui/submit-button";

export interface AccountMenuProps {
  email: string;
  name: string | null;
  roleLabel: string;
  /** Other places this user may go, e.g. the console for staff. */
  links: { href: string; label: string }[];
}

/**
 * The account button in the header: a disclosure (button + panel) with the address, the role and
 * Sign out. Enter or Space opens it, Tab moves through it, Escape closes it and returns focus to
 * the button, and clicking or tabbing elsewhere closes it.
 */
export function AccountMenu({ email, name, roleLabel, links }: AccountMenuProps) {
  const [open, setOpen] = useState(false);
  const panelId = useId();
  const containerRef = useRef<HTMLDivElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (!open) return;
    const onPointerDown = (event: PointerEvent) => {
      if (!containerRef.current?.contains(event.target as Node)) setOpen(false);
    };
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key === "Escape") {
        setOpen(false);
        buttonRef.current?.focus();
      }
    };
    document.addEventListener("pointerdown", onPointerDown);
    document.addEventListener("keydown", onKeyDown);
    return () => {
      document.removeEventListener("pointerdown", onPointerDown);
      document.removeEventListener("keydown", onKeyDown);
    };
  }, [open]);

  return (
    <div
      ref={containerRef}
      className="relative min-w-0"
      onBlur={(event) => {
        if (!containerRef.current?.contains(event.relatedTarget as Node | null)) setOpen(false);
      }}
    >
      <button
        ref={buttonRef}
        type="button"
        aria-expanded={open}
        aria-controls={panelId}
        onClick={() => setOpen((value) => !value)}
        className="inline-flex h-9 max-w-full items-center gap-2 rounded-md border border-border px-3 text-sm hover:bg-surface sm:max-w-[18rem]"
      >
        <span className="sr-only">Account menu for</span>
        <span className="truncate">{email}</span>
        <svg aria-hidden="true" viewBox="0 0 20 20" className={`size-4 shrink-0 transition-transform ${open ? "rotate-180" : ""}`} fill="currentColor">
          <path d="M5.23 7.21a.75.75 0 0 1 1.06.02L10 11.06l3.71-3.83a.75.75 0 1 1 1.08 1.04l-4.25 4.39a.75.75 0 0 1-1.08 0L5.21 8.27a.75.75 0 0 1 .02-1.06Z" />
        </svg>
      </button>
      <div
        id={panelId}
        hidden={!open}
        className="absolute right-0 z-20 mt-2 w-72 max-w-[calc(100vw-2rem)] rounded-lg border border-border bg-background p-4 shadow-lg"
      >
        <p className="text-xs text-muted">Signed in as</p>
        {name ? <p className="font-medium">{name}</p> : null}
        <p className="text-sm break-all">{email}</p>
        <p className="mt-2">
          <Badge tone="info">{roleLabel}</Badge>
        </p>
        {links.length > 0 ? (
          <ul className="mt-3 flex flex-col gap-1 border-t border-border pt-3">
            {links.map((link) => (
              <li key={link.href}>
                <Link href={link.href} onClick={() => setOpen(false)} className="block rounded-md px-2 py-1.5 text-sm hover:bg-surface">
                  {link.label}
                </Link>
              </li>
            ))}
          </ul>
        ) : null}
        <form action={signOutAction} className="mt-3 border-t border-border pt-3">
          <SubmitButton variant="secondary" className="w-full" pendingLabel="Signing out…">
            Sign out
          </SubmitButton>
        </form>
      </div>
    </div>
  );
}
