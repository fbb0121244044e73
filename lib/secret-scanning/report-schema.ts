import { z } from "zod";
import { safeText } from "@/lib/text/safe-text";

/** The most matches one report may carry; GitHub batches a few. */
export const MAX_REPORTED_TOKENS = 1000;

/**
 * GitHub's secret-scanning partner payload: a JSON array of the matches it found. `url` is where
 * the token was found (a file at a commit, an issue comment, a gist…), `source` the kind of content
 * (`content`, `commit`, `pull_request_comment`, `gist`, `npm`…).
 */
export const githubReportSchema = z
  .array(
    z.object({
      token: z.string().min(1).max(1024),
      type: safeText().min(1).max(200),
      url: safeText().max(2048).optional(),
      source: safeText().max(200).optional(),
    }),
  )
  .min(1)
  .max(MAX_REPORTED_TOKENS);

export type GithubReportMatch = z.output<typeof githubReportSchema>[number];

export type Verdict = "true_positive" | "false_positive";

/** One element of the answer GitHub reads: the token as a hex SHA-256, never the token itself. */
export interface GithubVerdict {
  token_hash: string;
  token_type: string;
  label: Verdict;
}
