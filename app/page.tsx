import { SiteFooter } from "@/components/site-footer";
import { SiteHeader } from "@/components/site-header";
import { MAIN_CONTENT_ID } from "@/components/skip-link";
import { Badge } from "@/components/ui/badge";
import { ButtonLink } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";

// The placeholders are shell variables rather than a made-up host: the real base URL is shown in
// the portal, and a copied example should fail loudly instead of calling someone else's server.
const exampleRequest = `curl "$GATEHOUSE_BASE_URL/v1/chat/completions" \\
  -H "Authorization: Bearer $GATEHOUSE_API_KEY" \\
  -H "Content-Type: application/json" \\
  -d '{"model": "MODEL_FROM_YOUR_PLAN",
       "messages": [{"role": "user", "content": "Hello"}]}'`;

const steps = [
  {
    title: "Buy a plan on the marketplace",
    body: "The plan sets which models you can call, for how long, and how many requests a minute. Your order appears in Gatehouse as soon as the payment goes through.",
  },
  {
    title: "Sign in with the link we email you",
    body: "There is no password. We send a sign-in link to the address you used on the marketplace, and you can ask for a new one from the sign-in page at any time.",
  },
  {
    title: "Reveal your key once and copy it",
    body: "The portal shows the full key a single time. Put it in a password manager or your app's secret settings: afterwards only its start and last four characters are shown. If you lose it, rotate it (when your plan allows) or ask support.",
  },
  {
    title: "Point your client at our base URL",
    body: "Set our base URL and your key in the SDK, Claude Code, curl or Gemini client you already use; the setup guide has snippets to paste. A live countdown in the portal shows how much time is left.",
  },
] as const;

const formats = [
  { name: "OpenAI format", endpoint: "POST /v1/chat/completions", clients: "OpenAI SDKs, curl and OpenAI-compatible tools" },
  { name: "Anthropic format", endpoint: "POST /v1/messages", clients: "Anthropic SDKs and Claude Code" },
  { name: "Gemini format", endpoint: "POST /v1beta/models/{model}:generateContent", clients: "Google Gen AI SDK and Gemini clients" },
] as const;

const portalFeatures = [
  {
    title: "Order status",
    body: "Each order's state and its start and end times, shown in your own time zone.",
    badges: true,
  },
  {
    title: "Countdown",
    body: "A live count of the time left, to the second, based on our server's clock rather than your computer's.",
  },
  {
    title: "Usage",
    body: "Requests, tokens and cost per model and day, the balance left on plans with credit, and a log of recent requests with their request ids.",
  },
  {
    title: "Your key",
    body: "The masked key, the one-time reveal with a copy button, and rotation when your plan allows it.",
  },
  {
    title: "Setup snippets",
    body: "Configuration to paste into the SDKs, Claude Code, curl and Gemini clients, with our base URL filled in.",
  },
  {
    title: "Support tickets",
    body: "Open a ticket about an order, follow the replies and answer in the same thread.",
  },
] as const;

export default function HomePage() {
  return (
    <>
      <SiteHeader />
      <main id={MAIN_CONTENT_ID} tabIndex={-1} className="flex-1 focus:outline-none">
        <section aria-labelledby="intro-title" className="border-b border-border">
          <div className="mx-auto grid max-w-5xl gap-10 px-4 py-16 sm:px-6 lg:grid-cols-[minmax(0,1fr)_minmax(0,1fr)] lg:items-center lg:py-20">
            <div className="flex flex-col gap-6">
              <h1 id="intro-title" className="text-3xl font-semibold tracking-tight text-balance sm:text-4xl">
                Claude, OpenAI and Gemini models through one API key
              </h1>
              <p className="text-lg text-muted">
                Gatehouse sells access to LLM APIs for a fixed period. You get one key that works with the official SDKs, Claude Code, curl and Gemini clients,
                for exactly the time you bought.
              </p>
              <div className="flex flex-wrap gap-3">
                <ButtonLink href="/signin" size="lg">
                  Sign in
                </ButtonLink>
                <ButtonLink href="/setup" size="lg" variant="secondary">
                  Setup guide
                </ButtonLink>
              </div>
            </div>
            <figure className="min-w-0 overflow-hidden rounded-lg border border-border bg-surface">
              <figcaption className="border-b border-border px-4 py-2 text-sm text-muted">
                One request with your key. The portal gives you the base URL.
              </figcaption>
              {/* Focusable so keyboard users can scroll the snippet sideways on narrow screens. */}
              <pre tabIndex={0} className="overflow-x-auto p-4 text-sm leading-relaxed">
                <code>{exampleRequest}</code>
              </pre>
            </figure>
          </div>
        </section>

        <section aria-labelledby="steps-title" className="mx-auto max-w-5xl px-4 py-16 sm:px-6">
          <h2 id="steps-title" className="text-2xl font-semibold tracking-tight">
            How it works
          </h2>
          <ol className="mt-8 grid gap-6 sm:grid-cols-2">
            {steps.map((step, index) => (
              <li key={step.title} className="flex gap-4">
                <span
                  aria-hidden="true"
                  className="flex size-8 shrink-0 items-center justify-center rounded-full bg-accent text-sm font-semibold text-accent-foreground"
                >
                  {index + 1}
                </span>
                <div className="flex flex-col gap-1">
                  <h3 className="font-semibold">{step.title}</h3>
                  <p className="text-muted">{step.body}</p>
                </div>
              </li>
            ))}
          </ol>
        </section>

        <section aria-labelledby="clients-title" className="border-y border-border bg-surface">
          <div className="mx-auto max-w-5xl px-4 py-16 sm:px-6">
            <h2 id="clients-title" className="text-2xl font-semibold tracking-tight">
              Works with the clients you already use
            </h2>
            <p className="mt-4 max-w-prose text-muted">
              Our endpoints speak all three providers&apos; formats. Any model in your plan can be called from any of them: Gatehouse converts the request and
              the answer, streaming included, or tells you which field it cannot convert.
            </p>
            <ul className="mt-8 grid gap-4 md:grid-cols-3">
              {formats.map((format) => (
                <li key={format.name} className="rounded-lg border border-border bg-background p-5">
                  <h3 className="font-semibold">{format.name}</h3>
                  <p className="mt-2 text-sm break-words">
                    <code>{format.endpoint}</code>
                  </p>
                  <p className="mt-2 text-sm text-muted">{format.clients}</p>
                </li>
              ))}
            </ul>
            <p className="mt-8 max-w-prose text-muted">
              Send the key as <code className="text-foreground">Authorization: Bearer</code>, as <code className="text-foreground">x-api-key</code>, or as{" "}
              <code className="text-foreground">?key=</code> on the Gemini routes. When a request is refused, the error says why: a space or invisible character
              in the key, a pasted masked preview, another provider&apos;s key, an order that has ended, a model outside your plan, or a rate limit with the
              time to wait.
            </p>
          </div>
        </section>

        <section aria-labelledby="portal-title" className="mx-auto max-w-5xl px-4 py-16 sm:px-6">
          <h2 id="portal-title" className="text-2xl font-semibold tracking-tight">
            What you see in the portal
          </h2>
          <ul className="mt-8 grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
            {portalFeatures.map((feature) => (
              <li key={feature.title}>
                <Card className="h-full">
                  <CardHeader>
                    <CardTitle as="h3">{feature.title}</CardTitle>
                  </CardHeader>
                  <CardContent className="flex flex-col gap-3">
                    <CardDescription>{feature.body}</CardDescription>
                    {"badges" in feature ? (
                      <p className="flex flex-wrap gap-2">
                        <Badge tone="info">Pending</Badge>
                        <Badge tone="success">Active</Badge>
                        <Badge tone="neutral">Expired</Badge>
                        <Badge tone="danger">Cancelled</Badge>
                      </p>
                    ) : null}
                  </CardContent>
                </Card>
              </li>
            ))}
          </ul>
        </section>

        <section aria-labelledby="end-title" className="border-t border-border">
          <div className="mx-auto max-w-5xl px-4 py-16 sm:px-6">
            <h2 id="end-title" className="text-2xl font-semibold tracking-tight">
              When your time is up
            </h2>
            <p className="mt-4 max-w-prose text-muted">
              At the end time shown in the portal your key stops working at once, and requests are refused with an{" "}
              <code className="text-foreground">access_expired</code> error that says when access ended. Your orders, usage history and tickets stay in the
              portal. A refund or cancellation ends access the same way.
            </p>
          </div>
        </section>

        <section aria-labelledby="start-title" className="border-t border-border bg-surface">
          <div className="mx-auto flex max-w-5xl flex-col gap-6 px-4 py-16 sm:flex-row sm:items-center sm:justify-between sm:px-6">
            <div className="flex flex-col gap-2">
              <h2 id="start-title" className="text-2xl font-semibold tracking-tight">
                Bought a plan?
              </h2>
              <p className="text-muted">Sign in with the email address you used on the marketplace.</p>
            </div>
            <div className="flex flex-wrap gap-3">
              <ButtonLink href="/signin" size="lg">
                Sign in
              </ButtonLink>
              <ButtonLink href="/setup" size="lg" variant="secondary">
                Setup guide
              </ButtonLink>
            </div>
          </div>
        </section>
      </main>
      <SiteFooter />
    </>
  );
}
