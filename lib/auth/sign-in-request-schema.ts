import { z } from "zod";
import { safeNextPath } from "./safe-next-path";

/**
 * What the sign-in form sends. Addresses are compared in one form everywhere (trimmed, Unicode
 * NFKC, lower case), the form the user records were created with.
 */
export const signInRequestSchema = z.object({
  email: z
    .string({ error: "Enter your email address." })
    .trim()
    .min(1, "Enter your email address.")
    .max(254, "That email address is too long.")
    .transform((v) => v.normalize("NFKC").toLowerCase())
    .pipe(z.email("Enter an email address like name@example.com.")),
  next: z
    .string()
    .nullish()
    .transform((v) => safeNextPath(v)),
});

export type SignInRequest = z.output<typeof signInRequestSchema>;
