// Rate and spend limits for the gateway, and the Redis plumbing that shares them across instances.
export * from "./invalidation-bus";
export * from "./month";
export * from "./rate-limit";
export { closeRedis, createRedisClient, ensureRedisReady, getRedis, getRedisSubscriber, redisConfigured, RedisUnavailableError } from "./redis";
export * from "./spend";
export * from "./spend-db";
