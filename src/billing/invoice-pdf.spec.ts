import fs from 'node:fs';
import { InvoiceDetail } from './billing-queries.service';
import { renderInvoicePdf } from './invoice-pdf';

function invoice(number: string, name: string, address: string): InvoiceDetail {
  return {
    id: 1,
    invoiceNumber: number,
    type: 'district_heating',
    period: '2025-10-01',
    issuedOn: '2025-11-01',
    dueOn: '2025-11-15',
    grossTotal: 38837,
    openAmount: 38837,
    servicePointId: 1,
    status: 'overdue',
    consumption: 1.234,
    consumptionUnit: 'GJ',
    servicePoint: { id: 1, postcode: '1111', town: 'Budapest', address },
    customer: { code: 'SU0044', name, postcode: '1111', town: 'Budapest', address, paymentMethod: 'bank_transfer' },
    company: { name: 'Minta Távhő Zrt.' },
    lines: [
      {
        lineNo: 1,
        description: 'Alapdíj',
        quantity: 1,
        unit: 'hó',
        unitPrice: 14795,
        vatRate: 5,
        netAmount: 14795,
        vatAmount: 740,
        grossAmount: 15535,
      },
      {
        lineNo: 2,
        description: 'Fogyasztás',
        quantity: 1.234,
        unit: 'GJ',
        unitPrice: 17985.41,
        vatRate: 5,
        netAmount: 22193,
        vatAmount: 1109,
        grossAmount: 23302,
      },
    ],
    vatSummary: [{ vatRate: 5, netAmount: 36988, vatAmount: 1849, grossAmount: 38837 }],
    totals: { netAmount: 36988, vatAmount: 1849, grossAmount: 38837 },
    payments: [],
  };
}

describe('renderInvoicePdf with the fonts parsed once per process', () => {
  const first = invoice('2014S000572', 'Minta Ügyfél', 'Fő utca 1.');
  // Letters the first invoice does not have, so its embedded subsets would differ if glyphs leaked between documents.
  const other = invoice('2014S000408', 'Őrző Würtz Ödön', 'Xavér köz 9/Q.');

  it('gives the same bytes before and after other documents used the fonts (each embeds only its own glyphs)', async () => {
    const cold = await renderInvoicePdf(first);
    const between = await renderInvoicePdf(other);
    const warm = await renderInvoicePdf(first);
    expect(Buffer.compare(cold, warm)).toBe(0);
    expect(Buffer.compare(cold, between)).not.toBe(0);
  });

  it('reads no font file once the first document has parsed them', async () => {
    await renderInvoicePdf(first);
    const read = jest.spyOn(fs, 'readFileSync');
    try {
      await renderInvoicePdf(other);
      const fontReads = read.mock.calls.filter(([file]) => String(file).endsWith('.ttf') || String(file).endsWith('.afm'));
      expect(fontReads).toEqual([]);
    } finally {
      read.mockRestore();
    }
  });
});
