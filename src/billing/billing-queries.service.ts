import { Injectable } from '@nestjs/common';
import type { QueryResultRow } from 'pg';
import { DataSource } from 'typeorm';
import { InvoiceDocument } from './invoice-document.entity';
import { todayInHungary } from '../web/format';
import { PreparedStatement, preparedQuery } from '../../libs/typeorm/prepared-query';
import {
  BASE_RATES,
  DEBTS,
  HOME_BILLING,
  INVOICE_DETAIL,
  INVOICE_LINES,
  INVOICE_PAGE,
  INVOICE_PAYMENTS,
  INVOICE_VAT_SUMMARY,
} from './billing-sql';
import { InvoiceStatus, invoiceStatus } from './invoice-status';
import { BaseRate, InterestComputation, InterestDebtor, lateInterest } from './late-interest';

/*
 * The read side of billing the customer pages, the API, the PDF and the clerk's
 * customer page share. Every query is scoped to a company and a customer; an id of
 * another customer finds nothing.
 */

export interface InvoiceSummary {
  id: number;
  invoiceNumber: string;
  type: string;
  period: string;
  issuedOn: string;
  dueOn: string;
  grossTotal: number;
  openAmount: number;
  servicePointId: number | null;
  status: InvoiceStatus;
}

export interface InvoicePage {
  items: InvoiceSummary[];
  /** Pass as `before` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

export interface InvoiceFilter {
  year?: number;
  servicePointId?: number;
  /** The `nextCursor` of the previous page. */
  before?: string;
  limit?: number;
}

export interface InvoiceDetail extends InvoiceSummary {
  consumption: number | null;
  consumptionUnit: string | null;
  servicePoint: { id: number; postcode: string; town: string; address: string } | null;
  customer: { code: string; name: string; postcode: string; town: string; address: string; paymentMethod: string };
  company: { name: string };
  lines: Array<{
    lineNo: number;
    description: string;
    quantity: number;
    unit: string;
    unitPrice: number;
    vatRate: number;
    netAmount: number;
    vatAmount: number;
    grossAmount: number;
  }>;
  vatSummary: Array<{ vatRate: number; netAmount: number; vatAmount: number; grossAmount: number }>;
  totals: { netAmount: number; vatAmount: number; grossAmount: number };
  payments: Array<{ paymentId: number; confirmedAt: Date; amount: number }>;
}

export interface DebtItemView {
  id: number;
  kind: 'invoice' | 'interest' | 'reminder_fee';
  reference: string;
  description: string;
  bookedOn: string;
  amount: number;
  openAmount: number;
  invoiceId: number | null;
  invoiceNumber: string | null;
  /** How an interest item is computed under the company's rule; null for other items or when the rule charges none. */
  interest: InterestComputation | null;
  /** For an open, overdue invoice debt: the interest run up since the due date (or the last interest booked) until today. */
  accruing: InterestComputation | null;
}

export interface DebtsView {
  today: string;
  rule: 'civil_code' | 'none';
  debtor: InterestDebtor;
  /** Invoice debts and interest (first table), reminder fees (second table); open items first. */
  items: DebtItemView[];
  openTotal: number;
  /** Interest run up until today on the open overdue invoices, not yet booked. */
  accruedInterest: number;
  /** What settles everything today: the open items plus the interest run up until today. */
  settlesToday: number;
}

export interface HomeBilling {
  openBalance: number;
  nextDueOn: string | null;
  newestInvoice: Pick<InvoiceSummary, 'id' | 'invoiceNumber' | 'type' | 'period' | 'dueOn' | 'grossTotal' | 'openAmount' | 'status'> | null;
}

/** Paid items shown under the open ones on the debts page. */
export const RECENTLY_PAID_ITEMS = 20;
export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

export class InvalidCursorError extends Error {}

/** A cursor is `<due date>_<id>` of the last invoice shown. */
export function parseInvoiceCursor(cursor: string | undefined): { dueOn: string; id: number } | null {
  if (cursor === undefined || cursor === '') return null;
  const match = /^(\d{4}-\d{2}-\d{2})_([1-9]\d{0,15})$/.exec(cursor);
  if (!match) throw new InvalidCursorError('invalid cursor');
  return { dueOn: match[1], id: Number(match[2]) };
}

interface InvoiceRow {
  id: string;
  invoice_number: string;
  type: string;
  period: string;
  issued_on: string;
  due_on: string;
  gross_total: number;
  open_amount: number;
  service_point_id: string | null;
}

interface InvoiceDetailRow extends InvoiceRow {
  consumption: string | null;
  consumption_unit: string | null;
  sp_postcode: string | null;
  sp_town: string | null;
  sp_address: string | null;
  code: string;
  name: string;
  postcode: string;
  town: string;
  address: string;
  payment_method: string;
  company_name: string;
}

interface InvoiceLineRow {
  line_no: number;
  description: string;
  quantity: string;
  unit: string;
  unit_price: string;
  vat_rate: number;
  net_amount: number;
  vat_amount: number;
  gross_amount: number;
}

function toSummary(row: InvoiceRow, today: string): InvoiceSummary {
  return {
    id: Number(row.id),
    invoiceNumber: row.invoice_number,
    type: row.type,
    period: row.period,
    issuedOn: row.issued_on,
    dueOn: row.due_on,
    grossTotal: row.gross_total,
    openAmount: row.open_amount,
    servicePointId: row.service_point_id === null ? null : Number(row.service_point_id),
    status: invoiceStatus({ dueOn: row.due_on, grossTotal: row.gross_total, openAmount: row.open_amount }, today),
  };
}

export interface DebtRow {
  id: string | null;
  kind: DebtItemView['kind'];
  reference: string;
  description: string;
  booked_on: string;
  amount: number;
  open_amount: number;
  invoice_id: string | null;
  invoice_number: string | null;
  due_on: string | null;
  gross_total: number | null;
  interest_booked_until: string | null;
  customer_type: InterestDebtor;
  late_interest_rule: 'civil_code' | 'none';
}

/** The debts page from the rows of the DEBTS statement: interest explained, the total that settles everything today. */
export function debtsView(rows: readonly DebtRow[], rates: readonly BaseRate[], today: string): DebtsView | null {
  if (rows.length === 0) return null;
  const { customer_type: debtor, late_interest_rule: rule } = rows[0];
  const charges = rule === 'civil_code';
  const items: DebtItemView[] = rows
    .filter((row): row is DebtRow & { id: string } => row.id !== null)
    .map((row) => {
      const lateSince =
        row.interest_booked_until && row.due_on && row.interest_booked_until > row.due_on ? row.interest_booked_until : row.due_on;
      return {
        id: Number(row.id),
        kind: row.kind,
        reference: row.reference,
        description: row.description,
        bookedOn: row.booked_on,
        amount: row.amount,
        openAmount: row.open_amount,
        invoiceId: row.invoice_id === null ? null : Number(row.invoice_id),
        invoiceNumber: row.invoice_number,
        interest:
          charges && row.kind === 'interest' && row.due_on !== null && row.gross_total !== null
            ? lateInterest(row.gross_total, row.due_on, row.booked_on, debtor, rates)
            : null,
        accruing:
          charges && row.kind === 'invoice' && row.open_amount > 0 && lateSince !== null && lateSince < today
            ? lateInterest(row.open_amount, lateSince, today, debtor, rates)
            : null,
      };
    });
  const openTotal = items.reduce((sum, item) => sum + item.openAmount, 0);
  const accruedInterest = items.reduce((sum, item) => sum + (item.accruing?.amount ?? 0), 0);
  return { today, rule, debtor, items, openTotal, accruedInterest, settlesToday: openTotal + accruedInterest };
}

@Injectable()
export class BillingQueries {
  constructor(private readonly dataSource: DataSource) {}

  /** The billing back office's own PDF of an invoice of the company, if it sent one (served instead of the rendering). */
  async storedPdf(companyId: number, invoiceId: number): Promise<Buffer | null> {
    const document = await this.dataSource.manager.findOne(InvoiceDocument, { where: { companyId, invoiceId } });
    return document?.pdf ?? null;
  }

  /** One page of the customer's invoices, newest first. Throws InvalidCursorError for a cursor it did not hand out. */
  async invoices(companyId: number, customerId: number, filter: InvoiceFilter, today = todayInHungary()): Promise<InvoicePage> {
    const cursor = parseInvoiceCursor(filter.before);
    const limit = Math.min(Math.max(Math.trunc(filter.limit ?? DEFAULT_PAGE_SIZE), 1), MAX_PAGE_SIZE);
    const rows = await this.run<InvoiceRow>(INVOICE_PAGE, [
      companyId,
      customerId,
      cursor?.dueOn ?? null,
      cursor?.id ?? null,
      filter.year ?? null,
      filter.servicePointId ?? null,
      limit + 1,
    ]);
    const items = rows.slice(0, limit).map((row) => toSummary(row, today));
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > limit && last ? `${last.dueOn}_${last.id}` : null };
  }

  /** The years (of the billed period) the customer has invoices for, newest first. */
  async invoiceYears(companyId: number, customerId: number): Promise<number[]> {
    const rows: Array<{ year: number }> = await this.dataSource.query(
      `SELECT DISTINCT extract(year FROM period)::int AS year FROM invoices WHERE company_id = $1 AND customer_id = $2 ORDER BY 1 DESC`,
      [companyId, customerId],
    );
    return rows.map((row) => row.year);
  }

  /** One of the customer's invoices with everything its page and PDF show; null for anyone else's. */
  async invoice(companyId: number, customerId: number, invoiceId: number, today = todayInHungary()): Promise<InvoiceDetail | null> {
    if (!Number.isSafeInteger(invoiceId) || invoiceId <= 0) return null;
    const [row] = await this.run<InvoiceDetailRow>(INVOICE_DETAIL, [companyId, customerId, invoiceId]);
    if (!row) return null;
    const [lines, vat, payments] = await Promise.all([
      this.run<InvoiceLineRow>(INVOICE_LINES, [companyId, invoiceId]),
      this.run<{ vat_rate: number; net_amount: number; vat_amount: number; gross_amount: number }>(INVOICE_VAT_SUMMARY, [
        companyId,
        invoiceId,
      ]),
      this.run<{ id: string; confirmed_at: Date; amount: number }>(INVOICE_PAYMENTS, [companyId, invoiceId]),
    ]);
    const vatSummary = vat.map((v) => ({
      vatRate: v.vat_rate,
      netAmount: v.net_amount,
      vatAmount: v.vat_amount,
      grossAmount: v.gross_amount,
    }));
    return {
      ...toSummary(row, today),
      consumption: row.consumption === null ? null : Number(row.consumption),
      consumptionUnit: row.consumption_unit,
      servicePoint:
        row.service_point_id !== null && row.sp_postcode !== null && row.sp_town !== null && row.sp_address !== null
          ? { id: Number(row.service_point_id), postcode: row.sp_postcode, town: row.sp_town, address: row.sp_address }
          : null,
      customer: {
        code: row.code,
        name: row.name,
        postcode: row.postcode,
        town: row.town,
        address: row.address,
        paymentMethod: row.payment_method,
      },
      company: { name: row.company_name },
      lines: lines.map((l) => ({
        lineNo: l.line_no,
        description: l.description,
        quantity: Number(l.quantity),
        unit: l.unit,
        unitPrice: Number(l.unit_price),
        vatRate: l.vat_rate,
        netAmount: l.net_amount,
        vatAmount: l.vat_amount,
        grossAmount: l.gross_amount,
      })),
      vatSummary,
      totals: {
        netAmount: vatSummary.reduce((sum, v) => sum + v.netAmount, 0),
        vatAmount: vatSummary.reduce((sum, v) => sum + v.vatAmount, 0),
        grossAmount: vatSummary.reduce((sum, v) => sum + v.grossAmount, 0),
      },
      payments: payments.map((p) => ({ paymentId: Number(p.id), confirmedAt: p.confirmed_at, amount: p.amount })),
    };
  }

  /** The customer's debts (open items and the newest paid ones) with interest explained; null for an unknown customer. */
  async debts(companyId: number, customerId: number, today = todayInHungary()): Promise<DebtsView | null> {
    const [rows, rates] = await Promise.all([this.run<DebtRow>(DEBTS, [companyId, customerId, RECENTLY_PAID_ITEMS]), this.baseRates()]);
    return debtsView(rows, rates, today);
  }

  async homeBilling(companyId: number, customerId: number, today = todayInHungary()): Promise<HomeBilling> {
    const [row]: Array<{
      open_balance: number;
      next_due_on: string | null;
      id: string | null;
      invoice_number: string;
      type: string;
      period: string;
      due_on: string;
      gross_total: number;
      open_amount: number;
    }> = await this.run(HOME_BILLING, [companyId, customerId]);
    return {
      openBalance: row.open_balance,
      nextDueOn: row.next_due_on,
      newestInvoice:
        row.id === null
          ? null
          : {
              id: Number(row.id),
              invoiceNumber: row.invoice_number,
              type: row.type,
              period: row.period,
              dueOn: row.due_on,
              grossTotal: row.gross_total,
              openAmount: row.open_amount,
              status: invoiceStatus({ dueOn: row.due_on, grossTotal: row.gross_total, openAmount: row.open_amount }, today),
            },
    };
  }

  private run<T extends QueryResultRow>(statement: PreparedStatement, values: unknown[]): Promise<T[]> {
    return preparedQuery<T>(this.dataSource.manager, statement.name, statement.text, values);
  }

  async baseRates(): Promise<BaseRate[]> {
    const rows = await this.run<{ valid_from: string; rate: string }>(BASE_RATES, []);
    return rows.map((row) => ({ validFrom: row.valid_from, rate: Number(row.rate) }));
  }
}
