import type { Metadata } from "next";
import Link from "next/link";
import { CodeBlock } from "@/components/guide/code-block";
import { PageHeader } from "@/components/ui/page-header";
import { getCurrentUser } from "@/lib/auth";
import { getConfig } from "@/lib/config";
import { getDb } from "@/lib/db";
import { buildSetupSnippets, exampleModels, KEY_PLACEHOLDER } from "@/lib/guide/setup-snippets";
import { listCustomerPlans } from "@/lib/orders";

export const metadata: Metadata = { title: "Setup guide" };
export const dynamic = "force-dynamic";

export default async function SetupPage() {
  // The origin users reach, from configuration; never from the request's Host header.
  const origin = getConfig().publicUrl.replace(/\/+$/, "");
  const user = await getCurrentUser();
  const plans = user?.customerId ? await listCustomerPlans(getDb(), user.customerId) : [];
  const models = [...new Set(plans.flatMap((p) => p.models))];
  const snippets = buildSetupSnippets({ origin, ...exampleModels(models) });

  return (
    <>
      <PageHeader title="Setup guide" description="Point your SDK, Claude Code, Codex CLI, curl or Gemini client at Gatehouse." />
      <section aria-labelledby="basics" className="mt-8 flex flex-col gap-2 text-sm">
        <h2 id="basics" className="text-lg font-semibold">
          The two things every client needs
        </h2>
        <ul className="list-disc pl-5">
          <li>
            <strong>Base URL:</strong> <code className="font-mono">{origin}/v1</code> for OpenAI-style clients and Codex CLI;{" "}
            <code className="font-mono">{origin}</code> (no <code>/v1</code>) for the Anthropic SDK and Claude Code.
          </li>
          <li>
            <strong>Your key</strong> from the order page, where you reveal it once. The snippets below show{" "}
            <code className="font-mono">{KEY_PLACEHOLDER}</code> where it goes; paste the whole key, with no spaces around it.
          </li>
        </ul>
        <p>
          On this page: <a href="#env-bash">environment variables</a>, <a href="#verify">verify your key</a>, <a href="#curl-openai">curl</a>,{" "}
          <a href="#openai-python">OpenAI SDK</a>, <a href="#anthropic-sdk">Anthropic SDK</a>, <a href="#claude-code">Claude Code</a>,{" "}
          <a href="#codex-cli">Codex CLI</a>, <a href="#gemini-cli">Gemini CLI</a>, <a href="#gemini">Gemini</a>. Something not working? See the{" "}
          <Link href="/faq" className="underline">
            FAQ
          </Link>
          .
        </p>
      </section>

      <section aria-labelledby="your-models" className="mt-8 text-sm">
        <h2 id="your-models" className="text-lg font-semibold">
          Which models you can use
        </h2>
        {plans.length > 0 ? (
          <ul className="mt-2 list-disc pl-5">
            {plans.map((p) => (
              <li key={p.marketplaceOrderId}>
                Order <span className="font-mono">{p.marketplaceOrderId}</span> ({p.planName}): {p.models.join(", ")}
                {Object.keys(p.aliases).length > 0 ? (
                  <>
                    ; aliases (answered and billed as the model named):{" "}
                    {Object.entries(p.aliases)
                      .map(([alias, model]) => `${alias} → ${model}`)
                      .join(", ")}
                  </>
                ) : null}
              </li>
            ))}
          </ul>
        ) : (
          <p className="mt-2">
            Each plan lists its models; {user ? "you have no active order right now." : <>sign in to see the ones your order covers.</>}{" "}
            <code className="font-mono">GET /v1/models</code> with your key lists them too.
          </p>
        )}
        <p className="mt-2">
          Claude Code asks for the model you give with <code className="font-mono">--model</code> (or pick with <code className="font-mono">/model</code>);
          without one it asks for <code className="font-mono">ANTHROPIC_MODEL</code>, and for background tasks{" "}
          <code className="font-mono">ANTHROPIC_DEFAULT_HAIKU_MODEL</code>: the Claude Code block below sets them to your plan&apos;s strongest and fastest
          Claude models, because each release otherwise asks for Anthropic&apos;s newest, which your plan may not include. Gemini CLI likewise asks for{" "}
          <code className="font-mono">GEMINI_MODEL</code> or <code className="font-mono">-m</code>. Codex CLI asks for the{" "}
          <code className="font-mono">model</code> of its config.toml (or <code className="font-mono">--model</code>): an OpenAI model of your plan works
          exactly as at OpenAI; a Claude or Gemini model works without Codex&apos;s web search. A model your plan does not cover is refused with a{" "}
          <code className="font-mono">model_not_allowed</code> error naming the model.
        </p>
      </section>

      {snippets.map((s) => (
        <section key={s.id} id={s.id} aria-labelledby={`${s.id}-title`} className="mt-8 scroll-mt-20">
          <h2 id={`${s.id}-title`} className="text-lg font-semibold">
            {s.title}
          </h2>
          <p className="mt-1 text-sm text-muted">{s.intro}</p>
          <CodeBlock code={s.code} label={s.label} />
        </section>
      ))}
    </>
  );
}
