// The FAQ's questions, in our words. Plain data: the page renders it and filters it in the browser.

export interface FaqEntry {
  /** The anchor: /faq#<id> links straight to the answer. */
  id: string;
  question: string;
  paragraphs: string[];
  steps?: string[];
  code?: string;
}

export const FAQ_ENTRIES: FaqEntry[] = [
  {
    id: "what-is-this",
    question: "What exactly am I buying? Is this a Claude Pro or ChatGPT Plus account?",
    paragraphs: [
      "No. You get an API key for a fixed period: your programs, SDKs and tools such as Claude Code send requests with it to our gateway, which forwards them to the model providers. It is not a personal chat account: there is no claude.ai or chatgpt.com login, no chat history, projects or app features that belong to those accounts.",
      "Which models you may call, how many requests a minute and for how long are set by your plan and shown on your order page.",
    ],
  },
  {
    id: "incorrect-key",
    question: "The API says my key is incorrect or invalid. Why?",
    paragraphs: ["The error message names the reason. The usual ones:"],
    steps: [
      "A space, line break or invisible character came along when pasting. Paste the key again between plain quotes.",
      "You pasted the masked form (sk-gate-… with four characters). The mask cannot be used as a key; the key itself is shown only once, when you reveal it.",
      "The key was replaced (rotated) by you or by support. Use the new key; the old one stops working when its overlap ends.",
      "The client is still sending another provider's key (an OpenAI or Anthropic key from an older setting) or a key from an earlier order.",
      "The base URL still points at the provider instead of Gatehouse, so our key goes to a server that does not know it.",
    ],
  },
  {
    id: "fix-401",
    question: "I get 401 Unauthorized. What should I check?",
    paragraphs: ["A 401 means the request reached a server but the key was refused. Go through these in order:"],
    steps: [
      "Open your order page: is the status Active, and is there time left?",
      "Run the verify command from the setup guide (GET /v1/key). Its answer tells you whether the key itself is fine.",
      "Check the base URL: OpenAI-style clients need …/v1, the Anthropic SDK and Claude Code the bare address.",
      "Open a new terminal (or restart your editor) so changed environment variables are read again.",
      "Still refused? Open a ticket and quote your order id and the x-request-id of a failing response.",
    ],
  },
  {
    id: "powershell",
    question: "How do I set the key in Windows PowerShell?",
    paragraphs: [
      "For the current window, set the variables with $env:. To keep them for new windows, store them for your user with [Environment]::SetEnvironmentVariable, then open a new PowerShell window. The setup guide has the full list (OpenAI, Anthropic and generic names).",
    ],
    code: ['$env:API_KEY_VALUE = "PASTE_YOUR_KEY_HERE"', '[Environment]::SetEnvironmentVariable("API_KEY_VALUE", "PASTE_YOUR_KEY_HERE", "User")'].join("\n"),
  },
  {
    id: "remaining-time",
    question: "How much time do I have left?",
    paragraphs: [
      "Your order page counts down to the end of your access window every second, using the server's clock, so a wrong clock on your computer does not change it. The dashboard shows the remaining time of every order, and GET /v1/key returns remaining_seconds for scripts.",
    ],
  },
  {
    id: "expiry",
    question: "What happens when my access ends?",
    paragraphs: [
      "At the end of the window the order becomes Expired on its own, at that very second: the gateway refuses the key with an access_expired error (see the table below), and the order page stops showing the key (only the mask remains). Nothing is charged after that.",
      "To keep going, buy a new plan on the marketplace. The new order appears on your dashboard with its own key once the payment goes through.",
    ],
  },
  {
    id: "new-plan",
    question: "I bought another plan. Where is it?",
    paragraphs: [
      "Each purchase is its own order with its own key and window, listed on your dashboard as soon as the marketplace confirms the payment, and we email you a sign-in link. Buy with the same email address to see all orders in one account. If a paid order does not show up within a few minutes, open a ticket with the marketplace order id.",
    ],
  },
  {
    id: "reveal-once",
    question: "Why can I see my key only once?",
    paragraphs: [
      "We do not keep your key in a readable form: after the one reveal only a fingerprint for checking requests and the last four characters remain. That way nobody, including us, can read it from our database. Copy it when you reveal it and keep it in a password manager.",
      "Lost it? If your plan allows it, rotate the key on the order page for a new one; otherwise open a ticket and support will replace it.",
    ],
  },
  {
    id: "exposed-key",
    question: "I think my key was exposed. What now?",
    paragraphs: [
      "Treat your key like a password: whoever has it can use your access until it ends. Never put it in screenshots, chats, issue trackers or a public repository.",
      "If it leaked, rotate it right away on the order page (choose no overlap so the old key stops at once), or open a ticket and we will replace it for you.",
    ],
  },
  {
    id: "claude-code",
    question: "How do I use the key with Claude Code?",
    paragraphs: [
      "Set ANTHROPIC_BASE_URL to our address (without /v1) and put the key in ANTHROPIC_AUTH_TOKEN, not ANTHROPIC_API_KEY: Claude Code 2.1 also sends a key given as ANTHROPIC_API_KEY to Anthropic's servers when it exits. Start it with --model and a model your plan covers. The setup guide has the exact lines.",
    ],
  },
  {
    id: "codex-cli",
    question: "How do I use the key with Codex CLI?",
    paragraphs: [
      'Add our gateway as a model provider in ~/.codex/config.toml (base_url ending in /v1, wire_api = "responses", env_key = "GATEHOUSE_KEY"), put the key in the GATEHOUSE_KEY environment variable and choose a model your plan covers. The setup guide has the exact block with our address.',
      "OpenAI models work exactly as with OpenAI. Claude and Gemini models work too, with one difference: web search and other tools that OpenAI runs on its own servers are not available for them; the gateway leaves them out and says so in the x-gatehouse-dropped-tools response header. Requests that continue a stored response (previous_response_id, background mode) are refused, because the gateway keeps no copy of your conversations; Codex sends the whole conversation each turn and does not need them.",
    ],
  },
];
