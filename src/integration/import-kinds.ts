import { DEBT_ITEM_KINDS } from '../billing/debt-item.entity';
import { MAX_INVOICE_DOCUMENT_BYTES } from '../billing/invoice-document.entity';
import { INVOICE_TYPES } from '../billing/invoice.entity';
import { CUSTOMER_TYPES, PAYMENT_METHODS } from '../identity/customer.entity';
import { METER_TYPES, METER_UNITS } from '../metering/meter.entity';
import { READING_KINDS } from '../metering/reading.entity';
import { RECEIVED_PAYMENT_METHODS } from '../payments/received-payment.entity';

/**
 * What the billing back office imports, each by its own id (`externalRef`), in the order
 * their references need: a service point names its customer, a meter its service point…
 */
export const IMPORT_KINDS = [
  'customers',
  'service-points',
  'meters',
  'reading-windows',
  'invoices',
  'debt-items',
  'readings',
  'payments',
] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];

export function isImportKind(value: unknown): value is ImportKind {
  return typeof value === 'string' && (IMPORT_KINDS as readonly string[]).includes(value);
}

/** Where the billing back office's API lives. */
export const INTEGRATION_PATH = '/api/v1/integration';
/** The largest import request body: 10,000 invoices with lines, or fewer with their PDFs. */
export const IMPORT_BODY_LIMIT_BYTES = 64 * 1024 * 1024;

/** Rows one API request may carry. */
export const MAX_ROWS_PER_REQUEST = 10_000;
/** Lines one invoice may have (invoice_lines.line_no is 1–999). */
export const MAX_INVOICE_LINES = 999;
export const MAX_PDF_BYTES = MAX_INVOICE_DOCUMENT_BYTES;
export const MAX_REF_LENGTH = 100;
/** The largest value an `integer` column holds. */
export const MAX_INT = 2_147_483_647;

export type FieldType = 'text' | 'ref' | 'int' | 'decimal' | 'date' | 'bool' | 'enum';

/** One field of an import row: its name in JSON and CSV, its staging column, and what it must be. */
export interface FieldSpec {
  key: string;
  column: string;
  type: FieldType;
  required: boolean;
  /** Text: length; int and decimal: value. */
  min?: number;
  max?: number;
  pattern?: RegExp;
  patternHint?: string;
  values?: readonly string[];
  /** Decimal places a decimal may have. */
  scale?: number;
  /** Used when the field is absent. */
  fallback?: string | number | boolean;
}

const ref = (key: string, column: string, required = true): FieldSpec => ({
  key,
  column,
  type: 'ref',
  required,
  min: 1,
  max: MAX_REF_LENGTH,
});
const text = (key: string, column: string, min: number, max: number, required = true): FieldSpec => ({
  key,
  column,
  type: 'text',
  required,
  min,
  max,
});
const oneOf = (key: string, column: string, values: readonly string[], required = true, fallback?: string): FieldSpec => ({
  key,
  column,
  type: 'enum',
  required,
  values,
  ...(fallback === undefined ? {} : { fallback }),
});
const date = (key: string, column: string, required = true): FieldSpec => ({ key, column, type: 'date', required });
const int = (key: string, column: string, min: number, max = MAX_INT): FieldSpec => ({
  key,
  column,
  type: 'int',
  required: true,
  min,
  max,
});
const postcode: FieldSpec = {
  key: 'postcode',
  column: 'postcode',
  type: 'text',
  required: true,
  pattern: /^[0-9]{4}$/,
  patternHint: '4 digits',
};
const EXTERNAL_REF = ref('externalRef', 'external_ref');

/** The fields of each kind's rows (invoices also have `lines`, `vatSummary` and `pdf`, checked apart). */
export const FIELDS: Readonly<Record<ImportKind, readonly FieldSpec[]>> = {
  customers: [
    EXTERNAL_REF,
    {
      key: 'code',
      column: 'code',
      type: 'text',
      required: true,
      pattern: /^[A-Z0-9]{2,20}$/,
      patternHint: '2–20 capital letters or digits',
    },
    text('name', 'name', 1, 200),
    text('email', 'email', 3, 254, false),
    text('phone', 'phone', 1, 40, false),
    postcode,
    text('town', 'town', 1, 100),
    text('address', 'address', 1, 200),
    oneOf('paymentMethod', 'payment_method', PAYMENT_METHODS),
    oneOf('customerType', 'customer_type', CUSTOMER_TYPES, false, 'household'),
  ],
  'service-points': [
    EXTERNAL_REF,
    ref('customerRef', 'customer_ref'),
    postcode,
    text('town', 'town', 1, 100),
    text('address', 'address', 1, 200),
  ],
  meters: [
    EXTERNAL_REF,
    ref('servicePointRef', 'service_point_ref'),
    text('serialNumber', 'serial_number', 1, 40),
    oneOf('type', 'type', METER_TYPES),
    oneOf('unit', 'unit', METER_UNITS),
    { key: 'decimals', column: 'decimals', type: 'int', required: false, min: 0, max: 3, fallback: 0 },
    date('calibratedAt', 'calibrated_at', false),
    text('providerReadingPeriod', 'provider_reading_period', 1, 100, false),
  ],
  'reading-windows': [EXTERNAL_REF, ref('meterRef', 'meter_ref', false), date('opensOn', 'opens_on'), date('closesOn', 'closes_on')],
  invoices: [
    EXTERNAL_REF,
    text('invoiceNumber', 'invoice_number', 1, 40),
    ref('customerRef', 'customer_ref'),
    ref('servicePointRef', 'service_point_ref', false),
    oneOf('type', 'type', INVOICE_TYPES),
    date('period', 'period'),
    date('issuedOn', 'issued_on'),
    date('dueOn', 'due_on'),
    int('grossTotal', 'gross_total', 0),
    int('openAmount', 'open_amount', 0),
    { key: 'consumption', column: 'consumption', type: 'decimal', required: false, min: 0, max: 99_999_999_999, scale: 3 },
    oneOf('consumptionUnit', 'consumption_unit', METER_UNITS, false),
  ],
  'debt-items': [
    EXTERNAL_REF,
    ref('customerRef', 'customer_ref'),
    ref('invoiceRef', 'invoice_ref', false),
    oneOf('kind', 'kind', DEBT_ITEM_KINDS),
    text('reference', 'reference', 1, 60),
    text('description', 'description', 1, 200),
    date('bookedOn', 'booked_on'),
    int('amount', 'amount', 1),
    int('openAmount', 'open_amount', 0),
  ],
  readings: [
    EXTERNAL_REF,
    ref('meterRef', 'meter_ref'),
    date('readOn', 'read_on'),
    { key: 'value', column: 'value', type: 'decimal', required: true, min: 0, max: 99_999_999_999, scale: 3 },
    oneOf('kind', 'kind', READING_KINDS, false, 'normal'),
    { key: 'billable', column: 'billable', type: 'bool', required: false, fallback: true },
  ],
  payments: [
    EXTERNAL_REF,
    ref('customerRef', 'customer_ref'),
    oneOf('method', 'method', RECEIVED_PAYMENT_METHODS),
    int('amount', 'amount', 1),
    date('paidOn', 'paid_on'),
    text('reference', 'reference', 1, 100, false),
  ],
};

/** An invoice line's fields (`lineNo` defaults to the line's position). */
export const INVOICE_LINE_FIELDS: readonly FieldSpec[] = [
  { key: 'lineNo', column: 'line_no', type: 'int', required: false, min: 1, max: MAX_INVOICE_LINES },
  text('description', 'description', 1, 200),
  { key: 'quantity', column: 'quantity', type: 'decimal', required: true, min: -99_999_999_999, max: 99_999_999_999, scale: 3 },
  text('unit', 'unit', 1, 20),
  { key: 'unitPrice', column: 'unit_price', type: 'decimal', required: true, min: -9_999_999_999, max: 9_999_999_999, scale: 4 },
  int('vatRate', 'vat_rate', 0, 100),
  int('netAmount', 'net_amount', -MAX_INT),
  int('vatAmount', 'vat_amount', -MAX_INT),
  int('grossAmount', 'gross_amount', -MAX_INT),
];

/** A VAT summary row's fields; without a summary the portal adds the lines up per rate. */
export const VAT_SUMMARY_FIELDS: readonly FieldSpec[] = [
  int('vatRate', 'vat_rate', 0, 100),
  int('netAmount', 'net_amount', -MAX_INT),
  int('vatAmount', 'vat_amount', -MAX_INT),
  int('grossAmount', 'gross_amount', -MAX_INT),
];

/** The invoice fields that are not columns of the row itself. */
export const INVOICE_EXTRA_KEYS = ['lines', 'vatSummary', 'pdf'] as const;
