import type { Metadata, Viewport } from "next";
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

// No data fetching here: the root layout wraps every page, including the static ones.
export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body className="flex min-h-dvh flex-col">
        <SkipLink />
        {children}
      </body>
    </html>
  );
}
