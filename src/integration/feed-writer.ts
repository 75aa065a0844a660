import { EntityManager } from 'typeorm';
import { FeedEntry } from './feed-types';

/**
 * Appends one item to the company's feed, in the caller's transaction. The item's `seq`
 * is the next of the company's, under a per-company advisory lock held until commit: a
 * later `seq` therefore never becomes visible before an earlier one, so a reader that
 * has seen `seq` n has seen everything up to n. Returns the new `seq`, or null when the
 * source event is already in the feed (a duplicate export adds nothing).
 */
export async function appendFeedItem(manager: EntityManager, entry: FeedEntry): Promise<number | null> {
  await manager.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`integration_feed:${entry.companyId}`]);
  const rows = (await manager.query(
    `INSERT INTO integration_feed (company_id, seq, type, source_key, occurred_at, payload)
     SELECT $1, COALESCE(MAX(seq), 0) + 1, $2, $3, $4, $5 FROM integration_feed WHERE company_id = $1
     ON CONFLICT (company_id, source_key) DO NOTHING RETURNING seq`,
    [entry.companyId, entry.type, entry.sourceKey, entry.occurredAt, entry.payload],
  )) as Array<{ seq: string }>;
  return rows.length > 0 ? Number(rows[0].seq) : null;
}
