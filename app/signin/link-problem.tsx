import { ButtonLink } from "@/components/ui/button";

export type LinkProblemKind = "expired" | "used" | "expired-or-used";

const copy: Record<LinkProblemKind, { title: string; body: string }> = {
  expired: {
    title: "This sign-in link has expired",
    body: "Sign-in links work for a short time after they are sent, and this one is too old. Ask for a new link: it arrives within a minute.",
  },
  used: {
    title: "This sign-in link cannot be used",
    body: "Each link works once, and this one has already been used, or it was copied incompletely from the email. If you are not signed in, ask for a new link.",
  },
  "expired-or-used": {
    title: "This sign-in link has expired or was already used",
    body: "Each link works once and for a short time only. Ask for a new link: it arrives within a minute.",
  },
};

/** What a person sees when a link cannot sign them in, with the way forward. */
export function LinkProblem({ kind }: { kind: LinkProblemKind }) {
  const { title, body } = copy[kind];
  return (
    <>
      <div className="flex flex-col gap-2">
        <h1 className="text-3xl font-semibold tracking-tight">{title}</h1>
        <p className="text-muted">{body}</p>
      </div>
      <div className="flex flex-wrap gap-3">
        <ButtonLink href="/signin" size="lg">
          Email me a new link
        </ButtonLink>
      </div>
    </>
  );
}
