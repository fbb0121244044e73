import type { Metadata, Viewport } from "next";
import { connection } from "next/server";
import type { ReactNode } from "react";
import { SkipLink } from "@/components/skip-link";
import "./globals.css";

export const metadata: Metadata = {
  title: { template: "%s · Gatehouse", default: "Gatehouse" },
  description:
    "Time-limited access to Claude, OpenAI and Gemini models with one API key that works with the official SDKs, Claude Code, curl and Gemini clients.",
  applicationName: "Gatehouse",
};

// Matches --background in globals.css so the browser chrome blends with the page in both schemes.
export const viewport: Viewport = {
  themeColor: [
    { media: "(prefers-color-scheme: light)", color: "#ffffff" },
    { media: "(prefers-color-scheme: dark)", color: "#0d1117" },
  ],
  colorScheme: "light dark",
};

// No data fetching here. Every page is rendered per request, the guide's too: each carries the
// nonce of its own Content-Security-Policy (proxy.ts), which a page built ahead could not.
export default async function RootLayout({ children }: { children: ReactNode }) {
  await connection();
  return (
    <html lang="en">
      <body className="flex min-h-dvh flex-col">
        <SkipLink />
        {children}
      </body>
    </html>
  );
}
