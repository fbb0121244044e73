import type { Metadata } from "next";
import { ComingLater } from "@/components/coming-later";
import { PageHeader } from "@/components/ui/page-header";

export const metadata: Metadata = { title: "Setup guide" };

export default function SetupPage() {
  return (
    <>
      <PageHeader title="Setup guide" description="How to point your SDK, Claude Code, curl or Gemini client at Gatehouse." />
      <ComingLater>
        Snippets to paste into the OpenAI and Anthropic SDKs, Claude Code, curl and Gemini clients, with our base URL
        filled in and your key shown as a placeholder.
      </ComingLater>
    </>
  );
}
