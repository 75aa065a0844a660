import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AppConfig } from '../../config/configuration';
import { APP_CONFIG } from '../core/config.module';
import { todayInHungary } from '../web/format';
import { translate } from '../web/i18n';
import { EmailLanguage } from './email-templates';
import { EmailService } from './email.service';
import { AttachmentProblem, decodeAttachment, DecodedAttachment } from './message-attachment';
import { renderMessageBody } from './message-body';
import { MessageSegment, segmentCondition } from './message-segment';
import { MessageBodyFormat } from './message.entity';
import { MessageCounts } from './message-counts.service';

/** Who may write to customers: supervisors and admins (clerks read the sent list only). */
export const MESSAGE_SENDER_ROLES: readonly string[] = ['supervisor', 'admin'];

export const MESSAGE_SUBJECT_MAX = 200;
export const MESSAGE_BODY_MAX = 10_000;
export const INBOX_PAGE_SIZE = 20;
export const SENT_PAGE_SIZE = 20;

/** E-mail copies are queued in batches of this many (one statement pair each, see EmailService.queueMany). */
const EMAIL_BATCH = 2_000;

export interface MessageSender {
  companyId: number;
  clerkId: number;
  role: string;
}

export type MessageAudience = { customerId: number } | { customerCode: string } | { segment: MessageSegment };

export interface SendMessageInput {
  subject: string;
  body: string;
  bodyFormat: MessageBodyFormat;
  audience: MessageAudience;
  /** Also e-mail each recipient who has a verified login and has not turned provider_message off. */
  byEmail: boolean;
  attachment?: { fileName: string; contentBase64: string };
}

export type MessageField = 'subject' | 'body' | 'attachment';
export type MessageProblemCode = 'required' | 'too_long' | AttachmentProblem;

export type SendMessageResult =
  | { kind: 'sent'; id: number; recipientCount: number; emailsQueued: number }
  | { kind: 'forbidden' }
  | { kind: 'invalid'; problems: Array<{ field: MessageField; code: MessageProblemCode }> }
  | { kind: 'no_such_customer' }
  | { kind: 'no_recipients' };

export interface InboxItem {
  id: number;
  subject: string;
  publishedAt: Date;
  readAt: Date | null;
  hasAttachment: boolean;
}

export interface InboxPage {
  items: InboxItem[];
  page: number;
  pageSize: number;
  /** Messages matching the filter, over every page. */
  total: number;
  unread: number;
}

export interface AttachmentInfo {
  fileName: string;
  contentType: string;
  size: number;
}

export interface MessageView {
  id: number;
  subject: string;
  body: string;
  bodyFormat: MessageBodyFormat;
  /** The body as safe HTML (see renderMessageBody). */
  bodyHtml: string;
  publishedAt: Date;
  readAt: Date | null;
  attachment: AttachmentInfo | null;
}

export interface AttachmentFile {
  fileName: string;
  contentType: string;
  content: Buffer;
}

export interface SentMessage {
  id: number;
  subject: string;
  publishedAt: Date;
  /** Set for a message to one customer. */
  customer: { id: number; code: string; name: string } | null;
  /** Set for a message to a segment (`{}`: every customer). */
  segment: MessageSegment | null;
  sentBy: string | null;
  recipientCount: number;
  readCount: number;
  byEmail: boolean;
  emailsQueued: number;
  hasAttachment: boolean;
}

class NoRecipients extends Error {}

/** Rows of a customer's inbox: the messages that reached them and are published. */
const INBOX_FROM = `
  FROM message_recipients r
  JOIN messages m ON m.company_id = r.company_id AND m.id = r.message_id
 WHERE r.company_id = $1 AND r.customer_id = $2 AND m.published_at <= now()`;

/**
 * Provider messages (szolgáltató üzenetei). A message is stored once; sending writes
 * its recipients with one INSERT … SELECT over the company's customers (so 100,000
 * recipients are one statement, not 100,000 round trips), in the same transaction as
 * the message, its attachment and the e-mail copies' outbox rows.
 */
@Injectable()
export class MessageService {
  private readonly logger = new Logger(MessageService.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly emails: EmailService,
    private readonly counts: MessageCounts,
  ) {}

  async send(sender: MessageSender, input: SendMessageInput, today = todayInHungary()): Promise<SendMessageResult> {
    if (!MESSAGE_SENDER_ROLES.includes(sender.role)) return { kind: 'forbidden' };
    const subject = input.subject.trim();
    const body = input.body.replace(/\s+$/, '');
    const problems: Array<{ field: MessageField; code: MessageProblemCode }> = [];
    if (subject.length === 0) problems.push({ field: 'subject', code: 'required' });
    else if (subject.length > MESSAGE_SUBJECT_MAX) problems.push({ field: 'subject', code: 'too_long' });
    if (body.trim().length === 0) problems.push({ field: 'body', code: 'required' });
    else if (body.length > MESSAGE_BODY_MAX) problems.push({ field: 'body', code: 'too_long' });
    let attachment: DecodedAttachment | undefined;
    if (input.attachment) {
      const decoded = decodeAttachment(input.attachment.fileName, input.attachment.contentBase64);
      if ('problem' in decoded) problems.push({ field: 'attachment', code: decoded.problem });
      else attachment = decoded;
    }
    if (problems.length > 0) return { kind: 'invalid', problems };

    try {
      return await this.dataSource.transaction(async (manager) => {
        const customerId = await this.audienceCustomer(manager, sender.companyId, input.audience);
        if (customerId === null) return { kind: 'no_such_customer' } as const;
        const segment = 'segment' in input.audience ? input.audience.segment : null;
        const [message]: Array<{ id: string }> = await manager.query(
          `INSERT INTO messages (company_id, customer_id, segment, subject, body, body_format, created_by_clerk_id, by_email)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
          [sender.companyId, customerId ?? null, segment, subject, body, input.bodyFormat, sender.clerkId, input.byEmail],
        );
        const messageId = Number(message.id);
        const recipientCount = await this.addRecipients(manager, sender.companyId, messageId, customerId, segment, today);
        if (recipientCount === 0) throw new NoRecipients();
        if (attachment) {
          await manager.query(
            `INSERT INTO message_attachments (company_id, message_id, file_name, content_type, size, content) VALUES ($1, $2, $3, $4, $5, $6)`,
            [sender.companyId, messageId, attachment.fileName, attachment.contentType, attachment.content.length, attachment.content],
          );
        }
        const emailsQueued = input.byEmail ? await this.queueEmails(manager, sender.companyId, messageId, subject) : 0;
        await manager.query(`UPDATE messages SET recipient_count = $3, emails_queued = $4 WHERE company_id = $1 AND id = $2`, [
          sender.companyId,
          messageId,
          recipientCount,
          emailsQueued,
        ]);
        this.logger.log({ companyId: sender.companyId, messageId, clerkId: sender.clerkId, recipientCount, emailsQueued }, 'message sent');
        return { kind: 'sent', id: messageId, recipientCount, emailsQueued } as const;
      });
    } catch (error) {
      if (error instanceof NoRecipients) return { kind: 'no_recipients' };
      throw error;
    }
  }

  /** How many customers a segment reaches today (the form's preview); the same condition as sending. */
  async segmentSize(companyId: number, segment: MessageSegment, today = todayInHungary()): Promise<number> {
    const condition = segmentCondition(segment, 2, today);
    const [row]: Array<{ n: number }> = await this.dataSource.query(
      `SELECT count(*)::int AS n FROM customers c WHERE c.company_id = $1 AND ${condition.where}`,
      [companyId, ...condition.params],
    );
    return row.n;
  }

  async inbox(companyId: number, customerId: number, options: { unreadOnly: boolean; page: number }): Promise<InboxPage> {
    const unreadFilter = options.unreadOnly ? ' AND r.read_at IS NULL' : '';
    const offset = (options.page - 1) * INBOX_PAGE_SIZE;
    const [rows, [total], unread] = await Promise.all([
      this.dataSource.query(
        `SELECT m.id, m.subject, m.published_at, r.read_at,
                EXISTS (SELECT 1 FROM message_attachments a WHERE a.company_id = m.company_id AND a.message_id = m.id) AS has_attachment
           ${INBOX_FROM}${unreadFilter}
          ORDER BY m.published_at DESC, m.id DESC
          LIMIT $3 OFFSET $4`,
        [companyId, customerId, INBOX_PAGE_SIZE, offset],
      ) as Promise<Array<{ id: string; subject: string; published_at: Date; read_at: Date | null; has_attachment: boolean }>>,
      this.dataSource.query(`SELECT count(*)::int AS n ${INBOX_FROM}${unreadFilter}`, [companyId, customerId]) as Promise<
        Array<{ n: number }>
      >,
      this.counts.unread(companyId, customerId),
    ]);
    return {
      items: rows.map((row) => ({
        id: Number(row.id),
        subject: row.subject,
        publishedAt: row.published_at,
        readAt: row.read_at,
        hasAttachment: row.has_attachment,
      })),
      page: options.page,
      pageSize: INBOX_PAGE_SIZE,
      total: total.n,
      unread,
    };
  }

  /** One message of the customer's, or null when it did not reach them (another customer's, another company's, none). */
  async message(companyId: number, customerId: number, messageId: number): Promise<MessageView | null> {
    const rows: Array<{
      id: string;
      subject: string;
      body: string;
      body_format: MessageBodyFormat;
      published_at: Date;
      read_at: Date | null;
      file_name: string | null;
      content_type: string | null;
      size: number | null;
    }> = await this.dataSource.query(
      `SELECT m.id, m.subject, m.body, m.body_format, m.published_at, r.read_at, a.file_name, a.content_type, a.size
         FROM message_recipients r
         JOIN messages m ON m.company_id = r.company_id AND m.id = r.message_id
         LEFT JOIN message_attachments a ON a.company_id = m.company_id AND a.message_id = m.id
        WHERE r.company_id = $1 AND r.customer_id = $2 AND r.message_id = $3 AND m.published_at <= now()`,
      [companyId, customerId, messageId],
    );
    const row = rows[0];
    if (!row) return null;
    return {
      id: Number(row.id),
      subject: row.subject,
      body: row.body,
      bodyFormat: row.body_format,
      bodyHtml: renderMessageBody(row.body_format, row.body),
      publishedAt: row.published_at,
      readAt: row.read_at,
      attachment:
        row.file_name !== null ? { fileName: row.file_name, contentType: row.content_type as string, size: row.size as number } : null,
    };
  }

  /** Marks the message read and answers when it was first read; null when it is not one of the customer's. */
  async markRead(companyId: number, customerId: number, messageId: number): Promise<Date | null> {
    const updated: Array<{ read_at: Date }> = await this.dataSource.query(
      // Wrapped in a SELECT: TypeORM answers a bare UPDATE with [rows, count].
      `WITH updated AS (
         UPDATE message_recipients r SET read_at = now()
           FROM messages m
          WHERE r.company_id = $1 AND r.customer_id = $2 AND r.message_id = $3 AND r.read_at IS NULL
            AND m.company_id = r.company_id AND m.id = r.message_id AND m.published_at <= now()
          RETURNING r.read_at
       )
       SELECT read_at FROM updated`,
      [companyId, customerId, messageId],
    );
    if (updated.length > 0) return updated[0].read_at;
    const existing: Array<{ read_at: Date | null }> = await this.dataSource.query(`SELECT r.read_at ${INBOX_FROM} AND r.message_id = $3`, [
      companyId,
      customerId,
      messageId,
    ]);
    return existing[0]?.read_at ?? null;
  }

  /** The attachment of one of the customer's messages; null when the message is not theirs or has none. */
  async attachment(companyId: number, customerId: number, messageId: number): Promise<AttachmentFile | null> {
    const rows: Array<{ file_name: string; content_type: string; content: Buffer }> = await this.dataSource.query(
      `SELECT a.file_name, a.content_type, a.content
         FROM message_recipients r
         JOIN messages m ON m.company_id = r.company_id AND m.id = r.message_id
         JOIN message_attachments a ON a.company_id = m.company_id AND a.message_id = m.id
        WHERE r.company_id = $1 AND r.customer_id = $2 AND r.message_id = $3 AND m.published_at <= now()`,
      [companyId, customerId, messageId],
    );
    const row = rows[0];
    return row ? { fileName: row.file_name, contentType: row.content_type, content: row.content } : null;
  }

  /** The company's messages, newest first, with how many customers each reached and how many have read it. */
  async sent(companyId: number, page: number): Promise<{ items: SentMessage[]; page: number; pageSize: number; total: number }> {
    const [rows, [total]] = await Promise.all([
      this.dataSource.query(
        `SELECT m.id, m.subject, m.published_at, m.customer_id, c.code AS customer_code, c.name AS customer_name, m.segment,
                k.name AS clerk_name, m.recipient_count, m.by_email, m.emails_queued,
                (SELECT count(*)::int FROM message_recipients r
                  WHERE r.company_id = m.company_id AND r.message_id = m.id AND r.read_at IS NOT NULL) AS read_count,
                EXISTS (SELECT 1 FROM message_attachments a WHERE a.company_id = m.company_id AND a.message_id = m.id) AS has_attachment
           FROM messages m
           LEFT JOIN customers c ON c.company_id = m.company_id AND c.id = m.customer_id
           LEFT JOIN clerks k ON k.company_id = m.company_id AND k.id = m.created_by_clerk_id
          WHERE m.company_id = $1
          ORDER BY m.published_at DESC, m.id DESC
          LIMIT $2 OFFSET $3`,
        [companyId, SENT_PAGE_SIZE, (page - 1) * SENT_PAGE_SIZE],
      ) as Promise<Array<Record<string, unknown>>>,
      this.dataSource.query(`SELECT count(*)::int AS n FROM messages WHERE company_id = $1`, [companyId]) as Promise<Array<{ n: number }>>,
    ]);
    return {
      items: rows.map((row) => ({
        id: Number(row.id),
        subject: row.subject as string,
        publishedAt: row.published_at as Date,
        customer:
          row.customer_id !== null
            ? { id: Number(row.customer_id), code: row.customer_code as string, name: row.customer_name as string }
            : null,
        segment: row.segment as MessageSegment | null,
        sentBy: row.clerk_name as string | null,
        recipientCount: row.recipient_count as number,
        readCount: row.read_count as number,
        byEmail: row.by_email as boolean,
        emailsQueued: row.emails_queued as number,
        hasAttachment: row.has_attachment as boolean,
      })),
      page,
      pageSize: SENT_PAGE_SIZE,
      total: total.n,
    };
  }

  /** The towns of the company's service points, for the segment form. */
  async towns(companyId: number): Promise<string[]> {
    const rows: Array<{ town: string }> = await this.dataSource.query(
      `SELECT DISTINCT town FROM service_points WHERE company_id = $1 ORDER BY town LIMIT 1000`,
      [companyId],
    );
    return rows.map((row) => row.town);
  }

  /** The one customer a message is written to (undefined: a segment's message); null when no such customer of the company. */
  private async audienceCustomer(manager: EntityManager, companyId: number, audience: MessageAudience): Promise<number | null | undefined> {
    if ('segment' in audience) return undefined;
    const rows: Array<{ id: string }> =
      'customerId' in audience
        ? await manager.query(`SELECT id FROM customers WHERE company_id = $1 AND id = $2`, [companyId, audience.customerId])
        : await manager.query(`SELECT id FROM customers WHERE company_id = $1 AND code = $2`, [
            companyId,
            audience.customerCode.trim().toUpperCase(),
          ]);
    return rows[0] ? Number(rows[0].id) : null;
  }

  /** The recipient rows, in one INSERT … SELECT; returns how many. */
  private async addRecipients(
    manager: EntityManager,
    companyId: number,
    messageId: number,
    customerId: number | undefined,
    segment: MessageSegment | null,
    today: string,
  ): Promise<number> {
    const condition = customerId !== undefined ? { where: 'c.id = $3', params: [customerId] } : segmentCondition(segment ?? {}, 3, today);
    const [row]: Array<{ n: number }> = await manager.query(
      `WITH added AS (
         INSERT INTO message_recipients (company_id, customer_id, message_id)
         SELECT c.company_id, c.id, $2 FROM customers c WHERE c.company_id = $1 AND ${condition.where}
         RETURNING 1
       )
       SELECT count(*)::int AS n FROM added`,
      [companyId, messageId, ...condition.params],
    );
    return row.n;
  }

  /**
   * The e-mail copies, through EmailService's set-based queueMany: recipients with a
   * verified login who did not turn provider_message off. The e-mail names the subject
   * and links to the message; the body stays behind the login.
   */
  private async queueEmails(manager: EntityManager, companyId: number, messageId: number, subject: string): Promise<number> {
    const rows: Array<{ customer_id: string; recipient: string; language: EmailLanguage }> = await manager.query(
      `SELECT r.customer_id, a.login_email AS recipient, a.language
         FROM message_recipients r
         JOIN customer_accounts a ON a.company_id = r.company_id AND a.customer_id = r.customer_id AND a.email_verified_at IS NOT NULL
        WHERE r.company_id = $1 AND r.message_id = $2
          AND NOT EXISTS (SELECT 1 FROM notification_preferences p
                           WHERE p.company_id = r.company_id AND p.customer_id = r.customer_id AND p.topic = 'provider_message' AND NOT p.email)
        ORDER BY r.customer_id`,
      [companyId, messageId],
    );
    const link = `${this.config.PUBLIC_URL}/messages/${messageId}`;
    for (let start = 0; start < rows.length; start += EMAIL_BATCH) {
      await this.emails.queueMany(
        manager,
        rows.slice(start, start + EMAIL_BATCH).map((row) => ({
          companyId,
          template: 'notification' as const,
          language: row.language,
          to: row.recipient,
          params: {
            title: subject,
            lines: [
              translate(row.language, 'notifications.message.email.intro'),
              translate(row.language, 'notifications.message.email.login'),
            ],
            link: { url: link, label: translate(row.language, 'notifications.message.email.open') },
          },
          notification: { customerId: Number(row.customer_id), topic: 'provider_message' as const },
        })),
      );
    }
    return rows.length;
  }
}
