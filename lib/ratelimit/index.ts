export { getRateLimiter, type RateLimitDecision, type RateLimiter, type RateLimitRule } from "./get-rate-limiter";
