import type { PlanInput } from "@/lib/plans";

// The plans a new installation starts with. Claude Code asks for a Sonnet for its main work and
// a Haiku for side tasks, so every plan that includes Claude covers both.
export const SEED_PLANS: PlanInput[] = [
  {
    name: "Starter 30",
    description: "30 days of everyday models for one developer.",
    models: ["gpt-4.1-mini", "gpt-4o-mini", "gpt-5-mini", "claude-sonnet-4-6", "claude-haiku-4-5", "claude-haiku-4-5-20251001", "gemini-2.5-flash"],
    durationDays: 30,
    rpm: 60,
    creditUsd: 20,
    multiplier: 1.2,
    maxKeysPerOrder: 1,
    selfRotate: false,
  },
  {
    name: "Pro 30",
    description: "30 days of every model, higher limits, self-service key rotation.",
    models: [
      "gpt-5",
      "gpt-5-mini",
      "gpt-4.1",
      "gpt-4.1-mini",
      "gpt-4o",
      "gpt-4o-mini",
      "o3",
      "o4-mini",
      "claude-opus-4-1",
      "claude-sonnet-4-5",
      "claude-sonnet-4-6",
      "claude-haiku-4-5",
      "claude-haiku-4-5-20251001",
      "gemini-2.5-pro",
      "gemini-2.5-flash",
    ],
    durationDays: 30,
    rpm: 600,
    tpm: 2_000_000,
    creditUsd: 200,
    multiplier: 1.1,
    maxKeysPerOrder: 3,
    selfRotate: true,
  },
];
