export { issueApiKey, type IssuedApiKey } from "./issue-api-key";
