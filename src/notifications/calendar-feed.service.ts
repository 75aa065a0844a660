import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../config/configuration';
import { APP_CONFIG } from '../core/config.module';
import { hashSecret, looksLikeSecret, newSecret } from '../../libs/crypto/tokens';
import { formatMoney, todayInHungary } from '../web/format';
import { translate } from '../web/i18n';
import { CalendarEvent, renderCalendar } from './ical';

/** Past events stay in the feed this long, so a calendar does not drop them at once. */
const PAST_DAYS = 60;

/**
 * A customer's secret calendar URL with their reading windows and unpaid invoices'
 * due dates, so a phone reminds them without any e-mail. The URL is the login:
 * only its hash is stored, and a new one (or revoking) ends the old one at once.
 */
@Injectable()
export class CalendarFeedService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly dataSource: DataSource,
  ) {}

  /** A new secret URL (shown once), replacing any earlier one. */
  async create(companyId: number, customerId: number): Promise<string> {
    const token = newSecret();
    await this.dataSource.query(
      `INSERT INTO calendar_feeds (company_id, customer_id, token_hash) VALUES ($1, $2, $3)
       ON CONFLICT (company_id, customer_id) DO UPDATE SET token_hash = excluded.token_hash, created_at = now()`,
      [companyId, customerId, hashSecret(token)],
    );
    return `${this.config.PUBLIC_URL}/calendar/${token}.ics`;
  }

  async revoke(companyId: number, customerId: number): Promise<boolean> {
    const [, deleted]: [unknown[], number] = await this.dataSource.query(
      `DELETE FROM calendar_feeds WHERE company_id = $1 AND customer_id = $2`,
      [companyId, customerId],
    );
    return deleted > 0;
  }

  async exists(companyId: number, customerId: number): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(`SELECT 1 FROM calendar_feeds WHERE company_id = $1 AND customer_id = $2`, [
      companyId,
      customerId,
    ]);
    return rows.length > 0;
  }

  /** The feed of a token, or null for a token that is not (or no longer) valid. */
  async feed(token: string): Promise<string | null> {
    if (!looksLikeSecret(token)) return null;
    const [owner]: Array<{ company_id: number; customer_id: string; company_name: string; language: 'hu' | 'en' | null }> =
      await this.dataSource.query(
        `SELECT f.company_id, f.customer_id, co.name AS company_name, a.language
           FROM calendar_feeds f
           JOIN companies co ON co.id = f.company_id
           LEFT JOIN customer_accounts a ON a.company_id = f.company_id AND a.customer_id = f.customer_id
          WHERE f.token_hash = $1`,
        [hashSecret(token)],
      );
    if (!owner) return null;
    const language = owner.language ?? 'hu';
    const params = [owner.company_id, owner.customer_id, todayInHungary(), PAST_DAYS];
    const windows: Array<{ id: string; opens_on: string; closes_on: string }> = await this.dataSource.query(
      `SELECT DISTINCT w.id, w.opens_on::text AS opens_on, w.closes_on::text AS closes_on
         FROM reading_windows w
         JOIN meters m ON m.company_id = w.company_id AND (w.meter_id IS NULL OR m.id = w.meter_id)
         JOIN service_points sp ON sp.company_id = m.company_id AND sp.id = m.service_point_id
        WHERE w.company_id = $1 AND sp.customer_id = $2 AND w.closes_on >= $3::date - $4::int
        ORDER BY opens_on, id`,
      params,
    );
    const invoices: Array<{ id: string; invoice_number: string; due_on: string; open_amount: number }> = await this.dataSource.query(
      `SELECT id, invoice_number, due_on::text AS due_on, open_amount FROM invoices
        WHERE company_id = $1 AND customer_id = $2 AND open_amount > 0 AND due_on >= $3::date - $4::int
        ORDER BY due_on, id`,
      params,
    );
    const host = new URL(this.config.PUBLIC_URL).host;
    const events: CalendarEvent[] = [
      ...windows.map((window) => ({
        uid: `reading-window-${owner.company_id}-${window.id}@${host}`,
        start: window.opens_on,
        end: window.closes_on,
        summary: translate(language, 'notifications.calendar.window'),
        remindDaysBefore: 0,
      })),
      ...invoices.map((invoice) => ({
        uid: `invoice-due-${owner.company_id}-${invoice.id}@${host}`,
        start: invoice.due_on,
        end: invoice.due_on,
        summary: translate(language, 'notifications.calendar.due', {
          number: invoice.invoice_number,
          amount: formatMoney(invoice.open_amount),
        }),
        remindDaysBefore: 3,
      })),
    ];
    return renderCalendar(owner.company_name, events, new Date());
  }
}
