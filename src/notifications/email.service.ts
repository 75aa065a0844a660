import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { addToOutbox } from '../../libs/outbox/outbox';
import { JOBS } from '../jobs';
import { EmailLog } from './email-log.entity';
import { EmailRenderer } from './email-renderer';
import { EMAIL_LANGUAGES, EMAIL_TEMPLATES, EmailLanguage, EmailParams, EmailTemplate } from './email-templates';

export interface EmailToQueue<T extends EmailTemplate> {
  companyId: number;
  template: T;
  language: EmailLanguage;
  to: string;
  params: EmailParams<T>;
}

// Deliberately loose: the address was validated where the customer entered it; this
// only refuses what cannot be one address (blanks, lists, header-breaking characters).
const SINGLE_ADDRESS = /^[^\s@<>,;"]+@[^\s@<>,;"]+$/;

/** Queues e-mails; sending happens in a worker (see EmailProcessor). */
@Injectable()
export class EmailService {
  constructor(private readonly renderer: EmailRenderer) {
    const missing = Object.keys(EMAIL_TEMPLATES).filter((template) => !renderer.has(template));
    // Fails at start-up, e.g. when a build did not copy the .hbs files.
    if (missing.length > 0) throw new Error(`E-mail templates without files: ${missing.join(', ')}`);
  }

  /**
   * Records the e-mail in the caller's transaction; it is sent only if that
   * transaction commits. The job carries the email_log id only: the address and
   * params stay in PostgreSQL. Throws on an unknown template or bad params.
   */
  async queue<T extends EmailTemplate>(manager: EntityManager, email: EmailToQueue<T>): Promise<number> {
    const { companyId, template, language, to } = email;
    if (!Object.hasOwn(EMAIL_TEMPLATES, template) || !this.renderer.has(template)) {
      throw new Error(`Unknown e-mail template "${template}"`);
    }
    if (!EMAIL_LANGUAGES.includes(language)) throw new Error(`Unsupported e-mail language "${language}"`);
    if (to.length > 254 || !SINGLE_ADDRESS.test(to)) throw new Error('Not a single e-mail address');
    const checked = EMAIL_TEMPLATES[template].safeParse(email.params);
    if (!checked.success) {
      const problems = checked.error.issues.map((issue) => `${issue.path.join('.') || 'params'} ${issue.message}`);
      throw new Error(`Invalid params for e-mail template "${template}": ${problems.join('; ')}`);
    }
    const inserted = await manager.insert(EmailLog, {
      companyId,
      template,
      language,
      recipient: to,
      params: checked.data,
      status: 'queued',
    });
    const emailId = Number(inserted.identifiers[0].id);
    await addToOutbox(manager, JOBS.sendEmail, { emailId }, companyId);
    return emailId;
  }
}
