import type { IncomingHttpHeaders } from "node:http";

export type Provider = "openai" | "anthropic" | "gemini";

/** Model ids each protocol's list endpoint reports. Any model name is accepted when generating. */
export interface ModelCatalog {
  openai: string[];
  anthropic: string[];
  gemini: string[];
}

/** Per-request behaviour that changes the answer rather than the transport. */
export interface ReplyKnobs {
  /** Output tokens of a text reply, overriding the request's own limit. */
  outputTokens?: number;
  /** Report the provider's "hit the token limit" stop reason instead of a natural stop. */
  truncated?: boolean;
  /** Test only: stream a text reply until its body reaches this many bytes (OpenAI Chat Completions). */
  streamBytes?: number;
}

export interface RequestContext {
  /** Parsed JSON body; undefined for GET or an empty body. */
  body: unknown;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** Per-server sequence number, used to build deterministic ids. */
  seq: number;
  knobs: ReplyKnobs;
  models: ModelCatalog;
}

/** What a protocol handler answers; the server writes it, applying transport faults. */
export type Reply =
  | { type: "json"; status: number; body: unknown; headers?: Record<string, string> }
  | {
      type: "stream";
      contentType: string;
      /** Pre-built frames, or frames generated one by one as the connection takes them. */
      frames: string[] | Iterable<string>;
      headers?: Record<string, string>;
    };
