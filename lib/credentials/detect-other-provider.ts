import "server-only";

interface ProviderPattern {
  readonly provider: string | undefined;
  readonly pattern: RegExp;
}

// Published prefixes of other vendors' credentials, most specific first. Each needs enough
// characters after the prefix to be a real key rather than a half-typed word.
const PATTERNS: readonly ProviderPattern[] = [
  { provider: "Anthropic", pattern: /^sk-ant-[A-Za-z0-9_-]{8,}/ },
  { provider: "OpenAI", pattern: /^sk-(?:proj|svcacct|admin|None)-[A-Za-z0-9_-]{8,}/ },
  { provider: "OpenRouter", pattern: /^sk-or-[A-Za-z0-9_-]{8,}/ },
  { provider: "Google", pattern: /^AIza[A-Za-z0-9_-]{30,}/ },
  { provider: "Google", pattern: /^ya29\.[A-Za-z0-9._-]{20,}/ },
  { provider: "Groq", pattern: /^gsk_[A-Za-z0-9]{20,}/ },
  { provider: "xAI", pattern: /^xai-[A-Za-z0-9]{20,}/ },
  { provider: "Perplexity", pattern: /^pplx-[A-Za-z0-9]{20,}/ },
  { provider: "Hugging Face", pattern: /^hf_[A-Za-z0-9]{20,}/ },
  { provider: "Replicate", pattern: /^r8_[A-Za-z0-9]{20,}/ },
  { provider: "NVIDIA", pattern: /^nvapi-[A-Za-z0-9_-]{20,}/ },
  { provider: "Cerebras", pattern: /^csk-[A-Za-z0-9]{20,}/ },
  { provider: "Fireworks AI", pattern: /^fw_[A-Za-z0-9]{20,}/ },
  // Legacy OpenAI user keys embed "T3BlbkFJ" (base64 of "OpenAI").
  { provider: "OpenAI", pattern: /^sk-(?!gate)[A-Za-z0-9]*T3BlbkFJ[A-Za-z0-9]*$/ },
  // `sk-` and one unbroken run of letters and digits is how OpenAI's legacy keys and many other
  // vendors and resellers (DeepSeek, Moonshot, one-api style gateways) write keys. A candidate
  // starting "sk-gate" is one of ours with a lost hyphen: that is a typo, not a foreign key.
  { provider: undefined, pattern: /^sk-(?!gate)[A-Za-z0-9]{20,}$/ },
];

export type OtherProviderMatch = { provider: string | undefined };

/**
 * Whether `candidate` (already stripped of whitespace) looks like another vendor's credential.
 * `provider` names the vendor when the prefix identifies one.
 */
export function detectOtherProvider(candidate: string): OtherProviderMatch | null {
  for (const { provider, pattern } of PATTERNS) {
    if (pattern.test(candidate)) return { provider };
  }
  return null;
}
