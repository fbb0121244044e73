export { applyMarketplaceEvent, UnappliableEventError, type AppliedEvent } from "./apply-event";
export { eventKeyOf, MARKETPLACE_EVENTS, marketplaceEventSchema, type MarketplaceEvent, type MarketplaceEventType } from "./event-schema";
export { mailNewOrderLink } from "./notify-buyer";
export {
  failedEventListQuerySchema,
  listFailedWebhookEvents,
  listFailedWebhookEventsPage,
  receiveMarketplaceEvent,
  replayWebhookEvent,
  WebhookReplayError,
  type FailedEventListQuery,
  type FailedWebhookEvent,
  type WebhookAnswer,
} from "./receive-event";
export { computeMarketplaceSignature, signMarketplaceBody, SIGNATURE_TOLERANCE_SECONDS, verifyMarketplaceSignature, type SignatureCheck } from "./signature";
export { handleMarketplaceWebhook, MARKETPLACE_WEBHOOK_LIMIT, MAX_WEBHOOK_BODY_BYTES, type WebhookHttpAnswer } from "./webhook-request";
