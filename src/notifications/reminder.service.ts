import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AppConfig } from '../../config/configuration';
import { APP_CONFIG } from '../core/config.module';
import { todayInHungary } from '../web/format';
import { EmailLanguage, EmailTemplate } from './email-templates';
import { EmailService, EmailToQueue } from './email.service';
import { REMINDER_TEMPLATES, REMINDER_TOPICS, ReminderKind } from './reminder-kinds';

/**
 * How far back a missed day is caught up (the scheduler was down, a run failed): an
 * invoice overdue for longer, or a window open for longer, gets no reminder from a
 * late run; the billing back office's dunning takes over.
 */
export const CATCH_UP_DAYS = 7;

/**
 * What each kind is about, as `(customer_id, subject_id, …data)` rows of one company
 * ($1) on one day ($2). Customers get reminders at their verified portal address.
 */
const SUBJECTS: Readonly<Record<ReminderKind, string>> = {
  due_date: `
    SELECT i.customer_id, i.id AS subject_id, i.invoice_number, i.due_on::text AS due_on, i.open_amount,
           NULL::text AS opens_on, NULL::text AS closes_on
      FROM invoices i JOIN companies co ON co.id = i.company_id
     WHERE i.company_id = $1 AND i.open_amount > 0
       AND i.due_on BETWEEN $2::date AND $2::date + co.due_date_reminder_days`,
  overdue: `
    SELECT i.customer_id, i.id AS subject_id, i.invoice_number, i.due_on::text AS due_on, i.open_amount,
           NULL::text AS opens_on, NULL::text AS closes_on
      FROM invoices i
     WHERE i.company_id = $1 AND i.open_amount > 0
       AND i.due_on BETWEEN $2::date - ${CATCH_UP_DAYS} AND $2::date - 1`,
  window_opened: `
    SELECT DISTINCT sp.customer_id, w.id AS subject_id, NULL::text AS invoice_number, NULL::text AS due_on, NULL::integer AS open_amount,
           w.opens_on::text AS opens_on, w.closes_on::text AS closes_on
      FROM reading_windows w
      JOIN meters m ON m.company_id = w.company_id AND (w.meter_id IS NULL OR m.id = w.meter_id)
      JOIN service_points sp ON sp.company_id = m.company_id AND sp.id = m.service_point_id
     WHERE w.company_id = $1
       AND w.opens_on BETWEEN $2::date - ${CATCH_UP_DAYS} AND $2::date AND w.closes_on >= $2::date`,
  // Reported: a reading in the window, or a live (not withdrawn or rejected) reading request for it.
  window_closing: `
    SELECT DISTINCT sp.customer_id, w.id AS subject_id, NULL::text AS invoice_number, NULL::text AS due_on, NULL::integer AS open_amount,
           w.opens_on::text AS opens_on, w.closes_on::text AS closes_on
      FROM reading_windows w
      JOIN companies co ON co.id = w.company_id
      JOIN meters m ON m.company_id = w.company_id AND (w.meter_id IS NULL OR m.id = w.meter_id)
      JOIN service_points sp ON sp.company_id = m.company_id AND sp.id = m.service_point_id
     WHERE w.company_id = $1 AND w.opens_on <= $2::date
       AND w.closes_on BETWEEN $2::date AND $2::date + co.reading_window_reminder_days
       AND NOT EXISTS (SELECT 1 FROM readings r
                        WHERE r.company_id = m.company_id AND r.meter_id = m.id AND r.read_on BETWEEN w.opens_on AND w.closes_on)
       AND NOT EXISTS (SELECT 1 FROM requests q
                        WHERE q.company_id = m.company_id AND q.kind = 'meter_reading'
                          AND q.live_key = 'meter:' || m.id || ':window:' || w.id)`,
};

/**
 * One statement finds up to $4 candidates not decided yet and claims them under the
 * unique key; rows another worker claimed first come back with no reminder_id.
 * A run walks the candidates in (customer, subject) order from the last chunk's end
 * ($6, $7), so each chunk checks only what lies ahead instead of every candidate
 * again. The customer-id bound is repeated on every joined table (redundant for the
 * result): without it the planner merge-joins from each table's first row, so a chunk
 * scanned the customers, accounts and reminders behind the cursor too, and a run took
 * time quadratic in its size. The candidates CTE is referenced twice, so PostgreSQL
 * evaluates it once.
 */
function claimStatement(kind: ReminderKind): string {
  return `
    WITH candidates AS (
      SELECT s.*, c.name AS customer_name, a.login_email AS recipient, a.language,
             COALESCE(NOT p.email, false) AS opted_out
        FROM (${SUBJECTS[kind]}) s
        JOIN customers c ON c.company_id = $1 AND c.id = s.customer_id AND c.id >= $6::bigint
        JOIN customer_accounts a ON a.company_id = $1 AND a.customer_id = s.customer_id AND a.customer_id >= $6::bigint
                                AND a.email_verified_at IS NOT NULL
        LEFT JOIN notification_preferences p ON p.company_id = $1 AND p.customer_id = s.customer_id AND p.customer_id >= $6::bigint
                                            AND p.topic = $5
       WHERE (s.customer_id, s.subject_id) > ($6::bigint, $7::bigint)
         AND NOT EXISTS (SELECT 1 FROM reminders r
                          WHERE r.company_id = $1 AND r.customer_id = s.customer_id AND r.customer_id >= $6::bigint
                            AND r.kind = '${kind}' AND r.subject_id = s.subject_id)
       ORDER BY s.customer_id, s.subject_id
       LIMIT $4
    ), claimed AS (
      INSERT INTO reminders (company_id, customer_id, kind, subject_id, run_id, outcome)
      SELECT $1, customer_id, '${kind}', subject_id, $3, CASE WHEN opted_out THEN 'skipped_by_preference' ELSE 'queued' END
        FROM candidates
      ON CONFLICT ON CONSTRAINT reminders_once_key DO NOTHING
      RETURNING id, customer_id, subject_id, outcome
    )
    SELECT claimed.id AS reminder_id, claimed.outcome, candidates.*
      FROM candidates LEFT JOIN claimed USING (customer_id, subject_id)`;
}

/** Where a run's walk through the candidates stands: after this (customer, subject). */
interface ChunkCursor {
  customerId: number;
  subjectId: number;
}

/** The greatest (customer, subject) of a chunk; null for an empty one (the run is done). */
function lastOf(rows: ReadonlyArray<Pick<ClaimedRow, 'customer_id' | 'subject_id'>>): ChunkCursor | null {
  let last: ChunkCursor | null = null;
  for (const row of rows) {
    const customerId = Number(row.customer_id);
    const subjectId = Number(row.subject_id);
    if (!last || customerId > last.customerId || (customerId === last.customerId && subjectId > last.subjectId)) {
      last = { customerId, subjectId };
    }
  }
  return last;
}

interface ClaimedRow {
  reminder_id: string | null;
  outcome: 'queued' | 'skipped_by_preference' | null;
  customer_id: string;
  subject_id: string;
  invoice_number: string | null;
  due_on: string | null;
  open_amount: number | null;
  opens_on: string | null;
  closes_on: string | null;
  customer_name: string;
  recipient: string;
  language: EmailLanguage;
}

/** A run as supervisors see it: what was decided, and how the queued e-mails went. */
export interface ReminderRunView {
  id: number;
  kind: ReminderKind;
  runOn: string;
  startedAt: Date;
  finishedAt: Date | null;
  found: number;
  queued: number;
  skippedByPreference: number;
  sent: number;
  failed: number;
}

export interface RunSummary {
  companyId: number;
  kind: ReminderKind;
  runOn: string;
  queued: number;
  skippedByPreference: number;
}

/**
 * Runs the scheduled reminders. Each chunk is one transaction: claim (one statement),
 * queue the e-mails (set-based), link them, count. A crash rolls back only the chunk
 * under way, and the next run (BullMQ re-running the stalled job, or the next firing)
 * starts from what is still undecided, so nothing is sent twice and nothing is lost.
 */
@Injectable()
export class ReminderService {
  private readonly logger = new Logger(ReminderService.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly emails: EmailService,
  ) {}

  /** Runs one kind for every company, for the given Budapest day. */
  async runForAllCompanies(kind: ReminderKind, today = todayInHungary()): Promise<RunSummary[]> {
    const companies: Array<{ id: number }> = await this.dataSource.query(`SELECT id FROM companies ORDER BY id`);
    const summaries: RunSummary[] = [];
    for (const company of companies) summaries.push(await this.run(company.id, kind, today));
    return summaries;
  }

  async run(companyId: number, kind: ReminderKind, today: string): Promise<RunSummary> {
    const [run]: Array<{ id: string }> = await this.dataSource.query(
      `INSERT INTO reminder_runs (company_id, kind, run_on) VALUES ($1, $2, $3)
       ON CONFLICT ON CONSTRAINT reminder_runs_company_kind_day_key DO UPDATE SET finished_at = NULL
       RETURNING id`,
      [companyId, kind, today],
    );
    const runId = Number(run.id);
    this.logger.log({ companyId, kind, runOn: today, runId }, 'reminder run started');
    const summary: RunSummary = { companyId, kind, runOn: today, queued: 0, skippedByPreference: 0 };
    // A re-run (crash, stalled job, next firing) starts from the beginning: what is decided is skipped by its key.
    let after: ChunkCursor = { customerId: 0, subjectId: 0 };
    for (;;) {
      const chunk = await this.dataSource.transaction((manager) => this.claimChunk(manager, companyId, kind, today, runId, after));
      summary.queued += chunk.queued;
      summary.skippedByPreference += chunk.skippedByPreference;
      if (!chunk.last) break;
      after = chunk.last;
    }
    await this.dataSource.query(`UPDATE reminder_runs SET finished_at = now() WHERE id = $1`, [runId]);
    this.logger.log(summary, 'reminder run finished');
    return summary;
  }

  /** The company's latest runs, newest first. */
  async lastRuns(companyId: number, limit = 30): Promise<ReminderRunView[]> {
    const rows: Array<Record<string, unknown>> = await this.dataSource.query(
      `SELECT r.id, r.kind, r.run_on::text AS run_on, r.started_at, r.finished_at, r.queued, r.skipped_by_preference,
              mails.sent, mails.failed
         FROM reminder_runs r
         CROSS JOIN LATERAL (
           SELECT count(*) FILTER (WHERE e.status = 'sent')::int AS sent, count(*) FILTER (WHERE e.status = 'failed')::int AS failed
             FROM reminders m JOIN email_log e ON e.id = m.email_id
            WHERE m.run_id = r.id
         ) mails
        WHERE r.company_id = $1
        ORDER BY r.started_at DESC, r.id DESC
        LIMIT $2`,
      [companyId, limit],
    );
    return rows.map((row) => ({
      id: Number(row.id),
      kind: row.kind as ReminderKind,
      runOn: row.run_on as string,
      startedAt: row.started_at as Date,
      finishedAt: row.finished_at as Date | null,
      found: (row.queued as number) + (row.skipped_by_preference as number),
      queued: row.queued as number,
      skippedByPreference: row.skipped_by_preference as number,
      sent: row.sent as number,
      failed: row.failed as number,
    }));
  }

  private async claimChunk(
    manager: EntityManager,
    companyId: number,
    kind: ReminderKind,
    today: string,
    runId: number,
    after: ChunkCursor,
  ): Promise<{ last: ChunkCursor | null; queued: number; skippedByPreference: number }> {
    const rows: ClaimedRow[] = await manager.query(claimStatement(kind), [
      companyId,
      today,
      runId,
      this.config.REMINDER_CHUNK_SIZE,
      REMINDER_TOPICS[kind],
      after.customerId,
      after.subjectId,
    ]);
    const toSend = rows.filter((row) => row.outcome === 'queued');
    const skipped = rows.filter((row) => row.outcome === 'skipped_by_preference').length;
    const emailIds = await this.emails.queueMany(
      manager,
      toSend.map((row) => this.email(companyId, kind, row)),
    );
    if (toSend.length > 0) {
      await manager.query(
        `UPDATE reminders SET email_id = x.email_id
           FROM unnest($1::bigint[], $2::bigint[]) AS x(id, email_id) WHERE reminders.id = x.id`,
        [toSend.map((row) => row.reminder_id), emailIds],
      );
    }
    if (toSend.length + skipped > 0) {
      await manager.query(
        `UPDATE reminder_runs SET queued = queued + $2, skipped_by_preference = skipped_by_preference + $3 WHERE id = $1`,
        [runId, toSend.length, skipped],
      );
    }
    return { last: lastOf(rows), queued: toSend.length, skippedByPreference: skipped };
  }

  private email(companyId: number, kind: ReminderKind, row: ClaimedRow): EmailToQueue<EmailTemplate> {
    const base = {
      companyId,
      template: REMINDER_TEMPLATES[kind],
      language: row.language,
      to: row.recipient,
      notification: { customerId: Number(row.customer_id), topic: REMINDER_TOPICS[kind] },
    };
    if (kind === 'due_date' || kind === 'overdue') {
      return {
        ...base,
        params: {
          customerName: row.customer_name,
          invoiceNumber: row.invoice_number as string,
          dueOn: row.due_on as string,
          openAmount: row.open_amount as number,
          link: `${this.config.PUBLIC_URL}/invoices`,
        },
      };
    }
    return {
      ...base,
      params: {
        customerName: row.customer_name,
        opensOn: row.opens_on as string,
        closesOn: row.closes_on as string,
        link: `${this.config.PUBLIC_URL}/readings`,
      },
    };
  }
}
