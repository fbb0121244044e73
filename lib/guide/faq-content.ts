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
      "Set ANTHROPIC_BASE_URL to our address (without /v1) and put the key in ANTHROPIC_AUTH_TOKEN, not ANTHROPIC_API_KEY: Claude Code 2.1 also sends a key given as ANTHROPIC_API_KEY to Anthropic's servers when it exits. Set ANTHROPIC_MODEL and ANTHROPIC_DEFAULT_OPUS_MODEL, ANTHROPIC_DEFAULT_SONNET_MODEL and ANTHROPIC_DEFAULT_HAIKU_MODEL to models your plan covers (or start it with --model). The setup guide has the exact lines, with your plan's models filled in.",
    ],
  },
  {
    id: "claude-code-selected-model",
    question: 'Claude Code says "There\'s an issue with the selected model". What does that mean?',
    paragraphs: [
      "Claude Code asked for a model your key may not use, and shows its own words instead of ours. Each Claude Code release defaults to Anthropic's newest model (for example claude-opus-5-5), which your plan may not include yet; the gateway answered model_not_found or model_not_allowed for it.",
      "What to do: set the model variables of the Claude Code block in the setup guide (they name your plan's own models), or start it with --model and a model from GET /v1/models. Your plan may also offer an alias for Claude Code's default: GET /v1/models and GET /v1/key list aliases with the model that serves them. Run claude with --debug to see the gateway's own message.",
    ],
  },
  {
    id: "gemini-cli-critical-error",
    question: 'Gemini CLI ends with "An unexpected critical error occurred". What does that mean?',
    paragraphs: [
      "Usually that Gemini CLI asked for a model your key may not use: without GEMINI_MODEL or -m, each release asks for Google's newest models (for example gemini-3.1-pro-preview, and a Flash-Lite model for its routing calls), and the gateway answered model_not_found. Gemini CLI then stops with that generic message instead of ours.",
      "What to do: set GEMINI_MODEL to a model your plan covers, as in the Gemini CLI block of the setup guide, or pass -m (Claude and OpenAI models of your plan work too). Check that ~/.gemini/settings.json selects gemini-api-key sign-in and that GOOGLE_GEMINI_BASE_URL is our address without /v1beta.",
    ],
  },
  {
    id: "model-aliases",
    question: 'My plan lists a model name with "served by" next to it. What is that?',
    paragraphs: [
      "An alias: a name your plan accepts for one of its models, usually the default model of a coding tool. A request for the alias is answered by the model it names and billed at that model's price; the response names the model that answered, the x-gatehouse-model-alias header says which alias was used, and your request log shows both names.",
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
