// Leaked keys: GitHub's secret-scanning partner reports (signature, verdicts), the response to a
// confirmed leak (replace, ticket, notice, audit — once per key), and the check of a found string.
export { checkKey, type KeyCheck } from "./check-key";
export { getGithubKeyStore } from "./github-key-store";
export { leakNoticeMail, type LeakNotice } from "./leak-mail";
export { createPublicKeyStore, PublicKeysUnavailableError, type PublicKeyStore, type PublicKeyStoreOptions } from "./public-keys";
export { MAX_REPORT_BYTES, receiveGithubReport, tokenHash, type ReportAnswer } from "./receive-github-report";
export { githubReportSchema, MAX_REPORTED_TOKENS, type GithubReportMatch, type GithubVerdict, type Verdict } from "./report-schema";
export { respondToLeak, type LeakResponse, type ReportedLeak } from "./respond-to-leak";
export { verifyGithubSignature, type GithubSignatureCheck, type GithubSignatureProblem } from "./verify-signature";
