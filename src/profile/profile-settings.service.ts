import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CustomerDataField } from '../identity/customer-records.service';
import { PaymentMethod } from '../identity/customer.entity';
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

/** A company's rules for the customers' data changes (profile_settings, or the defaults). */
@Injectable()
export class ProfileSettingsService {
  constructor(private readonly dataSource: DataSource) {}

  async rules(companyId: number): Promise<ProfileRules> {
    const [row]: Array<{ editable_fields: CustomerDataField[]; payment_methods: PaymentMethod[] }> = await this.dataSource.query(
      `SELECT editable_fields, payment_methods FROM profile_settings WHERE company_id = $1`,
      [companyId],
    );
    return row ? { editableFields: row.editable_fields, paymentMethods: row.payment_methods } : DEFAULT_PROFILE_RULES;
  }
}
