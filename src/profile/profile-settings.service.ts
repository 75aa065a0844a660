import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { StaffRole } from '../../libs/workflow/request-workflow';
import { Result, fail, ok } from '../../libs/workflow/workflow-errors';
import { AnswerDeadlines, AnswerDeadlineView } from '../approval/answer-deadlines.service';
import { CustomerDataField } from '../identity/customer-records.service';
import { PaymentMethod } from '../identity/customer.entity';
import { checkCompanySettings, CompanySettingsInput, SettingsError } from './company-settings-rules';
import { ProfileRules } from './customer-data-rules';

/**
 * Without a profile_settings row a company lets customers change their contact data,
 * address and payment method online, but not the billing name (a name change needs
 * documents at the customer office), and offers the payment methods below.
 */
export const DEFAULT_PROFILE_RULES: ProfileRules = {
  editableFields: ['email', 'phone', 'postcode', 'town', 'address', 'paymentMethod'],
  paymentMethods: ['postal_order', 'bank_transfer', 'direct_debit'],
};

/** A company's settings for its customers' requests, as an admin sees and edits them. */
export interface CompanySettings extends ProfileRules {
  answerDeadlines: AnswerDeadlineView[];
}

export type SettingsRefusal = { code: 'forbidden'; message: string } | { code: 'invalid'; errors: SettingsError[]; message: string };

/** Who changes the settings: a back-office user of one company. */
export interface SettingsActor {
  companyId: number;
  clerkId: number;
  role: StaffRole;
}

/**
 * A company's rules for the customers' data changes (profile_settings, or the defaults),
 * and the admin's page of them together with the answer deadlines per request kind
 * (approval's AnswerDeadlines). Only an admin changes them, in one transaction.
 */
@Injectable()
export class ProfileSettingsService {
  private readonly logger = new Logger(ProfileSettingsService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly deadlines: AnswerDeadlines,
  ) {}

  async rules(companyId: number): Promise<ProfileRules> {
    const [row]: Array<{ editable_fields: CustomerDataField[]; payment_methods: PaymentMethod[] }> = await this.dataSource.query(
      `SELECT editable_fields, payment_methods FROM profile_settings WHERE company_id = $1`,
      [companyId],
    );
    return row ? { editableFields: row.editable_fields, paymentMethods: row.payment_methods } : DEFAULT_PROFILE_RULES;
  }

  /** The company's settings as they stand (defaults where it set none). */
  async settings(companyId: number): Promise<CompanySettings> {
    const [rules, answerDeadlines] = await Promise.all([this.rules(companyId), this.deadlines.list(companyId)]);
    return { ...rules, answerDeadlines };
  }

  /**
   * An admin's new settings for their own company: the fields customers may change
   * online, the payment methods offered, and the answer deadline per request kind (the
   * kinds not sent keep theirs). Checked first; written in one transaction.
   */
  async update(actor: SettingsActor, input: CompanySettingsInput): Promise<Result<CompanySettings, SettingsRefusal>> {
    if (actor.role !== 'admin') return fail({ code: 'forbidden', message: 'Only an admin changes the company settings' });
    const checked = checkCompanySettings(input, this.deadlines.kindNames());
    if (!checked.ok) return fail({ code: 'invalid', errors: checked.errors, message: checked.errors.map((e) => e.message).join('; ') });
    const { editableFields, paymentMethods, answerDays } = checked.value;
    await this.dataSource.transaction(async (manager) => {
      await manager.query(
        `INSERT INTO profile_settings (company_id, editable_fields, payment_methods) VALUES ($1, $2::text[], $3::text[])
         ON CONFLICT (company_id) DO UPDATE SET editable_fields = EXCLUDED.editable_fields, payment_methods = EXCLUDED.payment_methods`,
        [actor.companyId, editableFields, paymentMethods],
      );
      await this.deadlines.set(manager, actor.companyId, answerDays);
    });
    this.logger.log(
      { companyId: actor.companyId, clerkId: actor.clerkId, editableFields, paymentMethods, answerDays: Object.fromEntries(answerDays) },
      'company settings changed',
    );
    return ok(await this.settings(actor.companyId));
  }
}
