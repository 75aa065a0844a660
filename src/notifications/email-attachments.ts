import { Injectable } from '@nestjs/common';
import { EmailLanguage } from './email-templates';

/**
 * Names a file an e-mail carries, e.g. `{ kind: 'invoice-pdf', customerId: 7, id: 42 }`.
 * Stored in email_log instead of the bytes; the kind's source builds the file at send time.
 */
export interface EmailAttachmentRef {
  kind: string;
  customerId: number;
  id: number;
}

export interface EmailAttachmentFile {
  filename: string;
  contentType: string;
  content: Buffer;
}

/** Builds one kind's file for a company's e-mail; null when the record is gone. */
export type EmailAttachmentSource = (
  companyId: number,
  ref: EmailAttachmentRef,
  language: EmailLanguage,
) => Promise<EmailAttachmentFile | null>;

/**
 * The kinds of attachment e-mails may carry. The module owning a kind's records
 * registers its source (billing: the invoice PDF), so notifications imports none of
 * them; an e-mail naming a kind no one registered cannot be queued.
 */
@Injectable()
export class EmailAttachments {
  private readonly sources = new Map<string, EmailAttachmentSource>();

  register(kind: string, source: EmailAttachmentSource): void {
    if (this.sources.has(kind)) throw new Error(`E-mail attachment kind "${kind}" registered twice`);
    this.sources.set(kind, source);
  }

  has(kind: string): boolean {
    return this.sources.has(kind);
  }

  /** The files of one e-mail; throws when a kind is unknown or its record is gone (the send fails and is retried). */
  async build(companyId: number, refs: readonly EmailAttachmentRef[], language: EmailLanguage): Promise<EmailAttachmentFile[]> {
    return Promise.all(
      refs.map(async (ref) => {
        const source = this.sources.get(ref.kind);
        if (!source) throw new Error(`No source for e-mail attachment kind "${ref.kind}"`);
        const file = await source(companyId, ref, language);
        if (!file) throw new Error(`E-mail attachment ${ref.kind} ${ref.id} not found`);
        return file;
      }),
    );
  }
}
