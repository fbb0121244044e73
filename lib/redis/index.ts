// The Redis client (one command connection and one subscriber per process, failing fast) and
// atomic Lua scripts, for what several instances share when `REDIS_URL` is set.
export {
  closeClient,
  closeRedis,
  createRedisClient,
  ensureRedisReady,
  getRedis,
  getRedisSubscriber,
  redisConfigured,
  RedisUnavailableError,
  type RedisLogger,
} from "./client";
export { isReplyError, LuaScript } from "./lua-script";
