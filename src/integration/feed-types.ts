/** The kinds of what the portal decided, as the feed names them. */
export const FEED_ITEM_TYPES = [
  'reading.applied',
  'customer_data.changed',
  'e_invoice.consent',
  'payment.recorded',
  'payment.allocated',
  'account.deleted',
] as const;
export type FeedItemType = (typeof FEED_ITEM_TYPES)[number];

export type FeedPayload = Record<string, unknown>;

/** One decision ready for the feed: what it is, when it happened, which source event it comes from (unique per company). */
export interface FeedEntry {
  companyId: number;
  type: FeedItemType;
  /** Names the source event, e.g. `reading:42`: a second export of the same event adds nothing. */
  sourceKey: string;
  occurredAt: Date;
  payload: FeedPayload;
}
