import { DataSource, EntityManager } from 'typeorm';
import { FeedEntry } from './feed-types';

/**
 * Appends one item to the company's feed, in the caller's transaction, without a `seq`
 * (sequenceFeed gives it one once committed). True when added; false when the source
 * event is already in the feed (a duplicate export adds nothing).
 */
export async function appendFeedItem(manager: EntityManager, entry: FeedEntry): Promise<boolean> {
  return (await appendFeedItems(manager, [entry])).length > 0;
}

/** appendFeedItem for many items in one statement, in the order given: the companies whose feeds got an item (each once). */
export async function appendFeedItems(manager: EntityManager, entries: readonly FeedEntry[]): Promise<number[]> {
  if (entries.length === 0) return [];
  const rows = (await manager.query(
    `INSERT INTO integration_feed (company_id, type, source_key, occurred_at, payload)
     SELECT company_id, type, source_key, occurred_at, payload
       FROM unnest($1::int[], $2::text[], $3::text[], $4::timestamptz[], $5::jsonb[]) WITH ORDINALITY
            AS e(company_id, type, source_key, occurred_at, payload, position)
      ORDER BY position
     ON CONFLICT (company_id, source_key) DO NOTHING RETURNING company_id`,
    [
      entries.map((entry) => entry.companyId),
      entries.map((entry) => entry.type),
      entries.map((entry) => entry.sourceKey),
      entries.map((entry) => entry.occurredAt),
      entries.map((entry) => JSON.stringify(entry.payload)),
    ],
  )) as Array<{ company_id: number | string }>;
  return [...new Set(rows.map((row) => Number(row.company_id)))];
}

/**
 * Numbers the company's committed, unnumbered items after its highest `seq`, in insert
 * order, in one transaction under a per-company advisory lock. An item still being
 * written is invisible here and gets a later number when it has committed, so a reader
 * that has seen `seq` n has seen every item up to n, and writers never wait for each
 * other. Readers call it before reading; it costs one index probe when nothing is new.
 */
export async function sequenceFeed(dataSource: DataSource, companyId: number): Promise<void> {
  const [pending] = (await dataSource.query(
    `SELECT EXISTS (SELECT 1 FROM integration_feed WHERE company_id = $1 AND seq IS NULL) AS pending`,
    [companyId],
  )) as Array<{ pending: boolean }>;
  if (!pending.pending) return;
  await dataSource.transaction(async (manager) => {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`integration_feed:${companyId}`]);
    await manager.query(
      `WITH head AS (SELECT COALESCE(MAX(seq), 0) AS seq FROM integration_feed WHERE company_id = $1),
            pending AS (SELECT id, row_number() OVER (ORDER BY id) AS n FROM integration_feed WHERE company_id = $1 AND seq IS NULL)
       UPDATE integration_feed f SET seq = head.seq + pending.n FROM pending, head WHERE f.id = pending.id`,
      [companyId],
    );
  });
}
