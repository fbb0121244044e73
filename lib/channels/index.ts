export { channelInputSchema, DEFAULT_BASE_URLS, providerSchema, type ChannelInput } from "./channel-schema";
export { upsertChannel } from "./upsert-channel";
export { channelHealth, HEALTH_WINDOW_MS, type ChannelHealth } from "./channel-health";
export {
  channelChangeSchema,
  ChannelExistsError,
  channelListQuerySchema,
  ChannelNotFoundError,
  createChannel,
  getChannel,
  listChannels,
  setChannelEnabled,
  testChannel,
  UnpricedModelsError,
  updateChannel,
  type ChannelChange,
  type ChannelListQuery,
  type ChannelSummary,
  type ChannelTestResult,
} from "./manage-channels";
