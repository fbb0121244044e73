export { channelInputSchema, DEFAULT_BASE_URLS, providerSchema, type ChannelInput } from "./channel-schema";
export { upsertChannel } from "./upsert-channel";
