// Rate limits for the gateway (the Redis client they share across instances: lib/redis).
export * from "./invalidation-bus";
export * from "./rate-limit";
