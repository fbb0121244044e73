// Rate limits for the gateway (the Redis client they share across instances: lib/redis).
export * from "./rate-limit";
