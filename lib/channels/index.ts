export { channelInputSchema, DEFAULT_BASE_URLS, providerSchema, type ChannelInput } from "./channel-schema";
export { CHANNEL_KEY_AAD, upsertChannel } from "./upsert-channel";
