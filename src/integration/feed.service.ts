import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { FeedItemType, FeedPayload } from './feed-types';
import { sequenceFeed } from './feed-writer';

export const FEED_PAGE_MAX = 1000;
export const FEED_CONSUMER_PATTERN = /^[A-Za-z0-9._-]{1,100}$/;

export interface FeedItemRow {
  seq: string | number;
  type: FeedItemType;
  occurred_at: Date;
  payload: FeedPayload;
}

/** A feed item as the API returns it and a webhook posts it. */
export interface FeedItemView {
  /** The item's position in the company's feed: pass it as `after`, or acknowledge it. */
  cursor: string;
  type: FeedItemType;
  occurredAt: string;
  data: FeedPayload;
}

export function feedItemView(row: FeedItemRow): FeedItemView {
  return { cursor: String(row.seq), type: row.type, occurredAt: row.occurred_at.toISOString(), data: row.payload };
}

export interface FeedPage {
  consumer: string;
  /** The consumer's last acknowledged cursor ("0" before the first acknowledgement). */
  acknowledgedCursor: string;
  items: FeedItemView[];
  /** The last item's cursor (or where reading started, when there is none): acknowledge it once processed. */
  nextCursor: string;
  hasMore: boolean;
}

export type AckResult = { ok: true; consumer: string; acknowledgedCursor: string } | { ok: false; reason: 'cursorAhead' };

/** The default consumer of an API key: its acknowledgements belong to it alone. */
export const keyConsumer = (keyId: number) => `key-${keyId}`;

/**
 * Reading the company's feed with a cursor, acknowledged per consumer: a consumer is
 * given what follows its acknowledged cursor (or a later `after`, never an earlier one),
 * so an item comes again until acknowledged and never after. Acknowledgements live in
 * Postgres, so they survive restarts.
 */
/** The company's numbered feed items after `after`, in order, at most `limit`; numbers the committed ones first. */
export async function readFeedAfter(dataSource: DataSource, companyId: number, after: number, limit: number): Promise<FeedItemRow[]> {
  await sequenceFeed(dataSource, companyId);
  return (await dataSource.query(
    `SELECT seq, type, occurred_at, payload FROM integration_feed WHERE company_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
    [companyId, after, limit],
  )) as FeedItemRow[];
}

@Injectable()
export class FeedService {
  constructor(private readonly dataSource: DataSource) {}

  async read(companyId: number, consumer: string, after: number | undefined, limit: number): Promise<FeedPage> {
    const acknowledged = await this.acknowledged(companyId, consumer);
    const from = Math.max(after ?? acknowledged, acknowledged);
    const rows = await readFeedAfter(this.dataSource, companyId, from, Math.min(limit, FEED_PAGE_MAX) + 1);
    const items = rows.slice(0, Math.min(limit, FEED_PAGE_MAX)).map(feedItemView);
    return {
      consumer,
      acknowledgedCursor: String(acknowledged),
      items,
      nextCursor: items.length > 0 ? items[items.length - 1].cursor : String(from),
      hasMore: rows.length > items.length,
    };
  }

  /** Moves the consumer's acknowledgement forward to `cursor` (never back); refuses a cursor beyond the feed's last item. */
  async acknowledge(companyId: number, consumer: string, cursor: number): Promise<AckResult> {
    return this.dataSource.transaction(async (manager) => {
      const [head] = (await manager.query(`SELECT COALESCE(MAX(seq), 0) AS seq FROM integration_feed WHERE company_id = $1`, [
        companyId,
      ])) as Array<{ seq: string }>;
      if (cursor > Number(head.seq)) return { ok: false, reason: 'cursorAhead' } as const;
      const [row] = (await manager.query(
        `INSERT INTO integration_feed_consumers AS c (company_id, name, acknowledged_seq, acknowledged_at) VALUES ($1, $2, $3, now())
         ON CONFLICT (company_id, name) DO UPDATE
           SET acknowledged_seq = GREATEST(c.acknowledged_seq, excluded.acknowledged_seq), acknowledged_at = now()
         RETURNING acknowledged_seq`,
        [companyId, consumer, cursor],
      )) as Array<{ acknowledged_seq: string }>;
      return { ok: true, consumer, acknowledgedCursor: String(row.acknowledged_seq) } as const;
    });
  }

  private async acknowledged(companyId: number, consumer: string): Promise<number> {
    const [row] = (await this.dataSource.query(
      `SELECT acknowledged_seq FROM integration_feed_consumers WHERE company_id = $1 AND name = $2`,
      [companyId, consumer],
    )) as Array<{ acknowledged_seq: string }>;
    return row ? Number(row.acknowledged_seq) : 0;
  }
}
