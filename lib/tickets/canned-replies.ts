// Answers agents give often, as starting points they edit before sending. No secrets, no HTML.

export interface CannedReply {
  id: string;
  label: string;
  body: string;
}

export const CANNED_REPLIES: readonly CannedReply[] = [
  {
    id: "rotation-done",
    label: "Key rotated",
    body: "We replaced your API key. Open your order page, press Reveal key and copy the new key into your client; the old key stops working as noted on that page. The new key can be revealed once, so keep it somewhere safe.",
  },
  {
    id: "key-whitespace",
    label: "Key has extra characters",
    body: "The key your client sends has extra characters around it (a space, a line break or quotes), so it is refused as invalid. Copy it again with the Copy button and paste it without anything around it; in a .env file write it without quotes or trailing spaces.",
  },
  {
    id: "expired-access",
    label: "Access window ended",
    body: "Your order's access window has ended, so its key is refused as expired. This is by design and cannot be undone for that order. A new order gives you a new key and a new window; your order page shows when each window ends.",
  },
  {
    id: "need-request-id",
    label: "Ask for a request id",
    body: "To find the failing request, please send us the x-request-id header (or the request_id in the error body) of one failed response. It starts with req_.",
  },
];
