import { createHash } from 'node:crypto';
import { FIELDS } from './import-kinds';
import { checkField, checkRow, checkRows } from './import-rows';
import { copyText } from './import-upsert';

const line = (netAmount: number, vatAmount: number, extra: Record<string, unknown> = {}) => ({
  description: 'Hődíj',
  quantity: '2.5',
  unit: 'GJ',
  unitPrice: '1234.5678',
  vatRate: 5,
  netAmount,
  vatAmount,
  grossAmount: netAmount + vatAmount,
  ...extra,
});

const invoice = (extra: Record<string, unknown> = {}) => ({
  externalRef: 'INV-1',
  invoiceNumber: 'SZ-1',
  customerRef: 'C-1',
  type: 'district_heating',
  period: '2026-10-01',
  issuedOn: '2026-11-02',
  dueOn: '2026-11-20',
  grossTotal: 1050,
  openAmount: 1050,
  lines: [line(1000, 50)],
  ...extra,
});

function reason(kind: Parameters<typeof checkRow>[0], raw: unknown): string {
  const result = checkRow(kind, raw, 0);
  if (result.ok) throw new Error('expected a refusal');
  return result.rejected.reason;
}

describe('import row checks', () => {
  it('stage a good customer with its defaults, as staging columns', () => {
    const result = checkRow(
      'customers',
      {
        externalRef: 'C-1',
        code: 'SU0044',
        name: 'Minta Mária',
        postcode: '1111',
        town: 'Budapest',
        address: 'Fő u. 1.',
        paymentMethod: 'card',
      },
      7,
    );
    expect(result).toEqual({
      ok: true,
      row: {
        index: 7,
        cells: {
          external_ref: 'C-1',
          code: 'SU0044',
          name: 'Minta Mária',
          email: null,
          phone: null,
          postcode: '1111',
          town: 'Budapest',
          address: 'Fő u. 1.',
          payment_method: 'card',
          customer_type: 'household',
        },
      },
    });
  });

  it('list every problem of a refused row, by field', () => {
    const problems = reason('customers', { externalRef: '', code: 'su44', postcode: '123', paymentMethod: 'cheque', shoeSize: 42 });
    expect(problems).toContain('shoeSize: is not a field of this kind');
    expect(problems).toContain('externalRef: is required');
    expect(problems).toContain('code: must be 2–20 capital letters or digits');
    expect(problems).toContain('name: is required');
    expect(problems).toContain('postcode: must be 4 digits');
    expect(problems).toContain('paymentMethod: must be one of postal_order, bank_transfer, direct_debit, card');
  });

  it('check each field type as the table would', () => {
    const spec = (key: string) => {
      const found = Object.values(FIELDS)
        .flat()
        .find((field) => field.key === key);
      if (!found) throw new Error(key);
      return found;
    };
    expect(checkField(spec('dueOn'), '2026-02-29')).toEqual({ problem: 'must be a date (YYYY-MM-DD)' });
    expect(checkField(spec('dueOn'), '2028-02-29')).toEqual({ value: '2028-02-29' });
    expect(checkField(spec('dueOn'), '2000-02-29')).toEqual({ value: '2000-02-29' });
    expect(checkField(spec('dueOn'), '2100-02-29')).toEqual({ problem: 'must be a date (YYYY-MM-DD)' });
    expect(checkField(spec('dueOn'), '2026-04-31')).toEqual({ problem: 'must be a date (YYYY-MM-DD)' });
    expect(checkField(spec('dueOn'), '2026-12-31')).toEqual({ value: '2026-12-31' });
    expect(checkField(spec('dueOn'), '2026-13-01')).toEqual({ problem: 'must be a date (YYYY-MM-DD)' });
    expect(checkField(spec('dueOn'), '1899-12-31')).toEqual({ problem: 'must be a date (YYYY-MM-DD)' });
    expect(checkField(spec('grossTotal'), '12700')).toEqual({ value: 12700 });
    expect(checkField(spec('grossTotal'), 12.5)).toEqual({ problem: 'must be a whole number' });
    expect(checkField(spec('grossTotal'), -1)).toEqual({ problem: 'must be between 0 and 2147483647' });
    expect(checkField(spec('grossTotal'), 2_147_483_648)).toEqual({ problem: 'must be between 0 and 2147483647' });
    expect(checkField(spec('value'), 12.345)).toEqual({ value: '12.345' });
    expect(checkField(spec('value'), '12.3456')).toEqual({ problem: 'must have at most 3 decimal places' });
    expect(checkField(spec('value'), '1e3')).toEqual({ problem: 'must be a number' });
    expect(checkField(spec('billable'), 'false')).toEqual({ value: false });
    expect(checkField(spec('billable'), '')).toEqual({ value: true });
    expect(checkField(spec('name'), 'a\u0000b')).toEqual({ problem: 'must not contain a NUL character' });
    // Characters, not UTF-16 units: 200 emoji fit a 200-character name.
    expect(checkField(spec('name'), '🔥'.repeat(200))).toEqual({ value: '🔥'.repeat(200) });
    expect(checkField(spec('name'), 'é'.repeat(201))).toEqual({ problem: 'must be 1–200 characters' });
  });

  it('check the rules between fields', () => {
    expect(reason('reading-windows', { externalRef: 'W', opensOn: '2026-11-25', closesOn: '2026-11-24' })).toBe(
      'closesOn: must not be before opensOn',
    );
    expect(reason('invoices', invoice({ dueOn: '2026-11-01' }))).toBe('dueOn: must not be before issuedOn');
    expect(reason('invoices', invoice({ openAmount: 1051 }))).toBe('openAmount: must not exceed grossTotal');
    expect(reason('invoices', invoice({ consumption: 3 }))).toContain('consumption and consumptionUnit come together');
    const debt = {
      externalRef: 'D',
      customerRef: 'C',
      reference: 'R',
      description: 'D',
      bookedOn: '2026-11-01',
      amount: 10,
      openAmount: 5,
    };
    expect(reason('debt-items', { ...debt, kind: 'invoice' })).toBe('invoiceRef: is required for an invoice debt item');
    expect(reason('debt-items', { ...debt, kind: 'reminder_fee', invoiceRef: 'INV' })).toBe('invoiceRef: a reminder fee names no invoice');
    expect(reason('debt-items', { ...debt, kind: 'interest', openAmount: 11 })).toBe('openAmount: must not exceed amount');
    expect(checkRow('debt-items', { ...debt, kind: 'interest' }, 0).ok).toBe(true);
  });

  it('check invoice lines, their sums, the VAT summary and the PDF', () => {
    expect(reason('invoices', invoice({ lines: [] }))).toBe('lines: must be a list of 1–999 lines');
    expect(reason('invoices', invoice({ lines: [line(1000, 40)] }))).toBe("lines: the lines' grossAmount must add up to grossTotal");
    expect(reason('invoices', invoice({ lines: [{ ...line(1000, 50), grossAmount: 1049 }] }))).toContain(
      'lines[0].grossAmount: must be netAmount + vatAmount',
    );
    expect(reason('invoices', invoice({ lines: [line(500, 25, { lineNo: 1 }), line(500, 25, { lineNo: 1 })] }))).toBe(
      'lines: two lines have the same lineNo',
    );
    expect(reason('invoices', invoice({ vatSummary: [{ vatRate: 5, netAmount: 1000, vatAmount: 40, grossAmount: 1040 }] }))).toBe(
      'vatSummary: the grossAmount of the rows must add up to grossTotal',
    );
    expect(reason('invoices', invoice({ pdf: 'not base64!' }))).toBe('pdf: must be the PDF file in base64');
    expect(reason('invoices', invoice({ pdf: Buffer.from('<html>').toString('base64') }))).toBe('pdf: is not a PDF file');
  });

  it('stage an invoice with its lines and computed VAT summary as JSON, the PDF as bytes, and a hash of all three', () => {
    const pdf = Buffer.from('%PDF-1.7 tiny');
    const result = checkRow('invoices', invoice({ lines: [line(600, 30), line(400, 20)], pdf: pdf.toString('base64') }), 0);
    if (!result.ok) throw new Error(result.rejected.reason);
    const { cells } = result.row;
    expect(JSON.parse(String(cells.lines))).toEqual([
      expect.objectContaining({ line_no: 1, quantity: '2.5', unit_price: '1234.5678', gross_amount: 630 }),
      expect.objectContaining({ line_no: 2, gross_amount: 420 }),
    ]);
    expect(JSON.parse(String(cells.vat_summary))).toEqual([{ vat_rate: 5, net_amount: 1000, vat_amount: 50, gross_amount: 1050 }]);
    expect(cells.pdf).toEqual(pdf);
    expect(cells.content_hash).toMatch(/^[0-9a-f]{64}$/);
    const again = checkRow('invoices', invoice({ lines: [line(600, 30), line(400, 20)], pdf: pdf.toString('base64') }), 1);
    const otherPdf = checkRow('invoices', invoice({ lines: [line(600, 30), line(400, 20)] }), 2);
    expect(again.ok && again.row.cells.content_hash).toBe(cells.content_hash);
    expect(otherPdf.ok && otherPdf.row.cells.content_hash).not.toBe(cells.content_hash);
    expect(createHash('sha256').update('x').digest('hex')).not.toBe(cells.content_hash);
  });

  it('split a batch into staged and refused rows, each with its index', () => {
    const result = checkRows('payments', [
      { externalRef: 'P-1', customerRef: 'C-1', method: 'cash', amount: 100, paidOn: '2026-11-01' },
      { externalRef: 'P-2', customerRef: 'C-1', method: 'card', amount: 100, paidOn: '2026-11-01' },
      null,
    ]);
    expect(result.staged.map((row) => row.index)).toEqual([0]);
    expect(result.rejected).toEqual([
      { index: 1, reason: 'method: must be one of bank_transfer, cash, postal_order, direct_debit' },
      { index: 2, reason: 'must be an object' },
    ]);
  });

  it('write COPY text with its escapes', () => {
    expect(copyText(null)).toBe('\\N');
    expect(copyText('a\tb\nc\\d\re')).toBe('a\\tb\\nc\\\\d\\re');
    expect(copyText(true)).toBe('t');
    expect(copyText(12)).toBe('12');
    expect(copyText(Buffer.from([0, 255]))).toBe('\\\\x00ff');
  });
});
