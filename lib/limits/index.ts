// Rate limits for the gateway, and the Redis plumbing that shares limits across instances.
export * from "./invalidation-bus";
export * from "./rate-limit";
export { closeRedis, createRedisClient, ensureRedisReady, getRedis, getRedisSubscriber, redisConfigured, RedisUnavailableError } from "./redis";
