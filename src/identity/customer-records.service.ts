import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { PaymentMethod } from './customer.entity';

/** A customer's master data as a data change sees it (Ügyféladatok). */
export interface CustomerData {
  /** The billing name. */
  name: string;
  email: string | null;
  phone: string | null;
  postcode: string;
  town: string;
  address: string;
  paymentMethod: PaymentMethod;
}

export type CustomerDataField = keyof CustomerData;

const COLUMNS: Record<CustomerDataField, string> = {
  name: 'name',
  email: 'email',
  phone: 'phone',
  postcode: 'postcode',
  town: 'town',
  address: 'address',
  paymentMethod: 'payment_method',
};

/** The portal login uses the customer's e-mail address; a data change of it moves the login too. */
export class LoginEmailTaken extends Error {
  constructor() {
    super('The e-mail address is the login of another account of the company');
    this.name = 'LoginEmailTaken';
  }
}

/**
 * Customers' billing master data for the modules that read or change it through an
 * approved request: always scoped to the company and the customer.
 */
@Injectable()
export class CustomerRecords {
  constructor(private readonly dataSource: DataSource) {}

  async read(manager: EntityManager, companyId: number, customerId: number): Promise<CustomerData | null> {
    return (await this.readMany(manager, companyId, [customerId])).get(customerId) ?? null;
  }

  /** Several customers of the company at once (another company's ids find nothing). */
  async readMany(manager: EntityManager, companyId: number, customerIds: readonly number[]): Promise<Map<number, CustomerData>> {
    const rows: Array<Record<string, string | null>> = await manager.query(
      `SELECT id, name, email, phone, postcode, town, address, payment_method FROM customers WHERE company_id = $1 AND id = ANY($2::bigint[])`,
      [companyId, [...new Set(customerIds)]],
    );
    return new Map(
      rows.map((row) => [
        Number(row.id),
        {
          name: row.name as string,
          email: row.email,
          phone: row.phone,
          postcode: row.postcode as string,
          town: row.town as string,
          address: row.address as string,
          paymentMethod: row.payment_method as PaymentMethod,
        },
      ]),
    );
  }

  /** Whether another portal account of the company logs in with this e-mail address (case-insensitive). */
  async loginEmailTaken(companyId: number, customerId: number, email: string): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      `SELECT 1 FROM customer_accounts WHERE company_id = $1 AND lower(login_email) = lower($2) AND customer_id <> $3`,
      [companyId, email, customerId],
    );
    return rows.length > 0;
  }

  /**
   * Writes the changed fields in the caller's transaction; a new e-mail address also
   * becomes the login of the customer's portal account. Returns whether anything
   * changed (false when the record already holds these values: applying twice is a no-op).
   */
  async apply(manager: EntityManager, companyId: number, customerId: number, changes: Partial<CustomerData>): Promise<boolean> {
    const fields = (Object.keys(changes) as CustomerDataField[]).filter((field) => Object.hasOwn(COLUMNS, field));
    if (fields.length === 0) return false;
    const values = fields.map((field) => changes[field] ?? null);
    const sets = fields.map((field, i) => `${COLUMNS[field]} = $${i + 3}`);
    const differs = fields.map((field, i) => `${COLUMNS[field]} IS DISTINCT FROM $${i + 3}`);
    // Through a CTE: TypeORM answers a bare UPDATE … RETURNING with [rows, count], never empty.
    const updated: unknown[] = await manager.query(
      `WITH updated AS (
         UPDATE customers SET ${sets.join(', ')}, updated_at = now()
          WHERE company_id = $1 AND id = $2 AND (${differs.join(' OR ')}) RETURNING id
       )
       SELECT id FROM updated`,
      [companyId, customerId, ...values],
    );
    if (updated.length > 0 && typeof changes.email === 'string') {
      await manager
        .query(`UPDATE customer_accounts SET login_email = $3 WHERE company_id = $1 AND customer_id = $2`, [
          companyId,
          customerId,
          changes.email,
        ])
        .catch((error: unknown) => {
          if ((error as { driverError?: { code?: string } }).driverError?.code === '23505') throw new LoginEmailTaken();
          throw error;
        });
    }
    return updated.length > 0;
  }
}
