import request from 'supertest';
import { DataSource } from 'typeorm';
import { createClerkTestCompany, createTestClerk, TestCompany } from '../support/clerk-factories';
import { loginTestCustomer, startCookieSession } from '../support/customer-session';
import { openTestDataSource } from '../support/database';
import { RunningApp, startTestApp } from '../support/http-app';
import { createTestIntegrationKey, TestIntegrationKey } from '../support/integration-factories';
import { MAX_ROWS_PER_REQUEST } from '../../src/integration/import-kinds';

/** A small but real PDF header and trailer: what the portal must serve byte for byte. */
const BACK_OFFICE_PDF = Buffer.from(
  '%PDF-1.4\n% ATHOS számla SZ-IMP-1\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n',
  'utf8',
);

function line(description: string, vatRate: number, netAmount: number, vatAmount: number) {
  return {
    description,
    quantity: '1.000',
    unit: 'hó',
    unitPrice: netAmount,
    vatRate,
    netAmount,
    vatAmount,
    grossAmount: netAmount + vatAmount,
  };
}

function invoice(externalRef: string, invoiceNumber: string, extra: Record<string, unknown> = {}) {
  return {
    externalRef,
    invoiceNumber,
    customerRef: 'C-1',
    servicePointRef: 'SP-1',
    type: 'district_heating',
    period: '2026-10-01',
    issuedOn: '2026-11-02',
    dueOn: '2026-11-20',
    grossTotal: 12600,
    openAmount: 12600,
    consumption: '3.25',
    consumptionUnit: 'GJ',
    lines: [line('Alapdíj', 5, 4000, 200), line('Hődíj', 5, 8000, 400)],
    ...extra,
  };
}

/** The import API: idempotent upserts by externalRef, refused rows reported by index, one company per key. */
describe('the billing back office imports through the integration API', () => {
  let dataSource: DataSource;
  let app: RunningApp;
  let a: TestCompany;
  let b: TestCompany;
  let keyA: TestIntegrationKey;
  let keyB: TestIntegrationKey;

  const send = (key: TestIntegrationKey, kind: string, rows: unknown[]) =>
    request(app.url).post(`/api/v1/integration/${kind}`).set('Authorization', `Bearer ${key.key}`).send({ rows });

  async function counts(key: TestIntegrationKey, kind: string, rows: unknown[]) {
    const answer = await send(key, kind, rows).expect(200);
    return answer.body as { inserted: number; updated: number; unchanged: number; rejected: Array<{ index: number; reason: string }> };
  }

  const customers = [
    {
      externalRef: 'C-1',
      code: 'IMP001',
      name: 'Import Ilona',
      email: 'ilona@example.hu',
      postcode: '1111',
      town: 'Budapest',
      address: 'Fő utca 1.',
      paymentMethod: 'bank_transfer',
      customerType: 'household',
    },
    {
      externalRef: 'C-2',
      code: 'IMP002',
      name: 'Import Ödön',
      postcode: '2222',
      town: 'Vác',
      address: 'Híd utca 2.',
      paymentMethod: 'postal_order',
    },
  ];
  const servicePoints = [{ externalRef: 'SP-1', customerRef: 'C-1', postcode: '1111', town: 'Budapest', address: 'Fő utca 1.' }];
  const meters = [{ externalRef: 'M-1', servicePointRef: 'SP-1', serialNumber: 'IMP-SN-1', type: 'heat', unit: 'GJ', decimals: 3 }];
  const windows = [{ externalRef: 'W-1', meterRef: 'M-1', opensOn: '2026-11-25', closesOn: '2026-11-30' }];
  const invoices = [invoice('INV-1', 'SZ-IMP-1', { pdf: BACK_OFFICE_PDF.toString('base64') }), invoice('INV-2', 'SZ-IMP-2')];
  const debts = [
    {
      externalRef: 'D-1',
      customerRef: 'C-1',
      invoiceRef: 'INV-1',
      kind: 'invoice',
      reference: 'SZ-IMP-1',
      description: 'Számla',
      bookedOn: '2026-11-02',
      amount: 12600,
      openAmount: 12600,
    },
  ];
  const readings = [{ externalRef: 'R-1', meterRef: 'M-1', readOn: '2026-10-31', value: '12.345', kind: 'normal' }];
  const payments = [
    { externalRef: 'P-1', customerRef: 'C-1', method: 'bank_transfer', amount: 5000, paidOn: '2026-11-10', reference: 'UTAL-1' },
  ];
  const batches: Array<[string, unknown[]]> = [
    ['customers', customers],
    ['service-points', servicePoints],
    ['meters', meters],
    ['reading-windows', windows],
    ['invoices', invoices],
    ['debt-items', debts],
    ['readings', readings],
    ['payments', payments],
  ];

  async function customerId(company: TestCompany, externalRef: string): Promise<number> {
    const [row] = await dataSource.query(`SELECT id FROM customers WHERE company_id = $1 AND external_ref = $2`, [company.id, externalRef]);
    return Number(row.id);
  }

  async function issuedEvents(company: TestCompany): Promise<number> {
    const [row] = await dataSource.query(`SELECT count(*)::int AS n FROM outbox WHERE company_id = $1 AND job_name = 'invoice-issued'`, [
      company.id,
    ]);
    return row.n as number;
  }

  beforeAll(async () => {
    dataSource = await openTestDataSource();
    app = await startTestApp();
    a = await createClerkTestCompany(dataSource);
    b = await createClerkTestCompany(dataSource);
    keyA = await createTestIntegrationKey(dataSource, a);
    keyB = await createTestIntegrationKey(dataSource, b);
    for (const [kind, rows] of batches) {
      expect([kind, await counts(keyA, kind, rows)]).toEqual([kind, { inserted: rows.length, updated: 0, unchanged: 0, rejected: [] }]);
    }
  });

  afterAll(async () => {
    await app?.close();
    await dataSource?.destroy();
  });

  it('reads import bodies beyond the 1 MiB every other route is held to', async () => {
    // 10,001 rows of about 130 bytes: over 1 MiB, so only the import path's own limit lets it be parsed (and the row count refused).
    const rows = Array.from({ length: MAX_ROWS_PER_REQUEST + 1 }, (_, i) => ({ externalRef: `BIG-${i}`.padEnd(120, '.') }));
    const body = JSON.stringify({ rows });
    expect(Buffer.byteLength(body)).toBeGreaterThan(1024 * 1024);
    await send(keyA, 'customers', rows).expect(400);
    await request(app.url).post('/login').set('Content-Type', 'application/json').send(body).expect(413);
  });

  it('imports every kind, and the customer sees the invoices, the back office PDF and the debts', async () => {
    const session = await loginTestCustomer(app, dataSource, a.id, await customerId(a, 'C-1'));
    const page = await request(app.url).get('/api/v1/invoices').set('Authorization', `Bearer ${session.bearer}`).expect(200);
    const numbers = (page.body.items as Array<{ invoiceNumber: string; id: number }>).map((item) => item.invoiceNumber).sort();
    expect(numbers).toEqual(['SZ-IMP-1', 'SZ-IMP-2']);
    const first = (page.body.items as Array<{ invoiceNumber: string; id: number }>).find((item) => item.invoiceNumber === 'SZ-IMP-1');
    const detail = await request(app.url).get(`/api/v1/invoices/${first?.id}`).set('Authorization', `Bearer ${session.bearer}`).expect(200);
    expect(detail.body.lines).toHaveLength(2);
    expect(detail.body.vatSummary).toEqual([{ vatRate: 5, netAmount: 12000, vatAmount: 600, grossAmount: 12600 }]);

    const pdf = await request(app.url)
      .get(`/api/v1/invoices/${first?.id}/pdf`)
      .set('Authorization', `Bearer ${session.bearer}`)
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      })
      .expect(200);
    expect(Buffer.compare(pdf.body as Buffer, BACK_OFFICE_PDF)).toBe(0);

    const debtsPage = await request(app.url).get('/invoices').set('Cookie', session.cookie).set('Accept', 'text/html').expect(200);
    expect(debtsPage.text).toContain('SZ-IMP-1');
    const debtsAnswer = await request(app.url).get('/api/v1/debts').set('Authorization', `Bearer ${session.bearer}`).expect(200);
    expect(debtsAnswer.body.openTotal).toBe(12600);

    const [window] = await dataSource.query(
      `SELECT meter_id, opens_on FROM reading_windows WHERE company_id = $1 AND external_ref = 'W-1'`,
      [a.id],
    );
    expect(window.opens_on).toBe('2026-11-25');
    const [reading] = await dataSource.query(`SELECT value, kind, billable FROM readings WHERE company_id = $1 AND external_ref = 'R-1'`, [
      a.id,
    ]);
    expect(reading).toEqual({ value: '12.345', kind: 'normal', billable: true });
    const [payment] = await dataSource.query(`SELECT amount, method, paid_on FROM received_payments WHERE company_id = $1`, [a.id]);
    expect(payment).toEqual({ amount: 5000, method: 'bank_transfer', paid_on: '2026-11-10' });
    // New invoices raised the "invoice issued" event, one each.
    expect(await issuedEvents(a)).toBe(2);

    // The clerk's customer page lists the payment received elsewhere.
    const clerk = await createTestClerk(dataSource, a, 'clerk');
    const clerkSession = await startCookieSession(app, { kind: 'clerk', companyId: a.id, clerkId: clerk.id, name: 'Teszt', role: 'clerk' });
    const customerPage = await request(app.url)
      .get(`/backoffice/customers/${await customerId(a, 'C-1')}`)
      .set('Cookie', clerkSession.cookie)
      .set('Accept', 'text/html')
      .expect(200);
    const received = /<table class="data-table received-payments">[\s\S]*?<\/table>/.exec(customerPage.text)?.[0] ?? '';
    expect(received).toContain('UTAL-1');
    expect(received).toContain('Átutalás');
  });

  it('re-sending the same batches changes nothing; a changed row is updated, with its lines', async () => {
    const version = `SELECT xmin::text AS version, xmax::text AS locker FROM invoices WHERE company_id = $1 AND external_ref = 'INV-1'`;
    const [before] = await dataSource.query(version, [a.id]);
    for (const [kind, rows] of batches) {
      expect([kind, await counts(keyA, kind, rows)]).toEqual([kind, { inserted: 0, updated: 0, unchanged: rows.length, rejected: [] }]);
    }
    const [after] = await dataSource.query(version, [a.id]);
    // Not even locked: an equal row is left before the upsert (ON CONFLICT … DO UPDATE … WHERE false still locks it).
    expect(after).toEqual(before);
    expect(await issuedEvents(a)).toBe(2);

    const changed = invoice('INV-2', 'SZ-IMP-2', { lines: [line('Alapdíj', 5, 12000, 600)] });
    expect(await counts(keyA, 'invoices', [invoices[0], changed])).toEqual({ inserted: 0, updated: 1, unchanged: 1, rejected: [] });
    const lines = await dataSource.query(
      `SELECT l.description FROM invoice_lines l JOIN invoices i ON i.company_id = l.company_id AND i.id = l.invoice_id
        WHERE i.company_id = $1 AND i.external_ref = 'INV-2'`,
      [a.id],
    );
    expect(lines).toEqual([{ description: 'Alapdíj' }]);
    expect(await issuedEvents(a)).toBe(2);
  });

  it('reports a malformed row with its index and reason, and applies the rest whole', async () => {
    const batch = [
      invoice('INV-3', 'SZ-IMP-3'),
      invoice('INV-4', 'SZ-IMP-4', { dueOn: '2026-02-30' }),
      invoice('INV-5', 'SZ-IMP-5', { customerRef: 'C-NOWHERE' }),
      invoice('INV-6', 'SZ-IMP-6', { lines: [line('Alapdíj', 5, 100, 5)] }),
      invoice('INV-3', 'SZ-IMP-7'),
      invoice('INV-8', 'SZ-IMP-1'),
      invoice('INV-9', 'SZ-IMP-9', { customerRef: 'C-2' }),
      'not an object',
    ];
    const result = await counts(keyA, 'invoices', batch);
    expect(result.inserted).toBe(1);
    expect(result.rejected.map((row) => row.index)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(result.rejected[0].reason).toContain('dueOn: must be a date');
    expect(result.rejected[1].reason).toContain('customerRef: no customer with this externalRef');
    expect(result.rejected[2].reason).toContain('must add up to grossTotal');
    expect(result.rejected[3].reason).toContain('externalRef: appears earlier in this batch');
    expect(result.rejected[4].reason).toContain('invoiceNumber: already belongs to another row');
    expect(result.rejected[5].reason).toContain('servicePointRef: the service point belongs to another customer');
    const stored = await dataSource.query(`SELECT external_ref FROM invoices WHERE company_id = $1 ORDER BY external_ref`, [a.id]);
    expect(stored.map((row: { external_ref: string }) => row.external_ref)).toEqual(['INV-1', 'INV-2', 'INV-3']);
    const [lineCount] = await dataSource.query(
      `SELECT count(*)::int AS n FROM invoice_lines l JOIN invoices i ON i.company_id = l.company_id AND i.id = l.invoice_id
        WHERE i.company_id = $1 AND i.external_ref = 'INV-3'`,
      [a.id],
    );
    expect(lineCount.n).toBe(2);
  });

  it("a key of another company never reaches the first company's rows; a revoked key is refused and writes nothing", async () => {
    const refused = await counts(keyB, 'service-points', servicePoints);
    expect(refused).toMatchObject({ inserted: 0, rejected: [{ index: 0, reason: expect.stringContaining('no customer') }] });
    // The same external ids in company b are rows of b alone.
    expect(await counts(keyB, 'customers', [{ ...customers[0], name: 'Másik cég ügyfele' }])).toMatchObject({ inserted: 1 });
    const [ofA] = await dataSource.query(`SELECT name FROM customers WHERE company_id = $1 AND external_ref = 'C-1'`, [a.id]);
    expect(ofA.name).toBe('Import Ilona');

    const revoked = await createTestIntegrationKey(dataSource, a);
    const admin = await createTestClerk(dataSource, a, 'admin');
    await dataSource.query(`UPDATE integration_api_keys SET revoked_at = now(), revoked_by_clerk_id = $2 WHERE id = $1`, [
      revoked.id,
      admin.id,
    ]);
    await send(revoked, 'customers', [{ ...customers[0], name: 'Visszavont kulccsal' }]).expect(401);
    const [still] = await dataSource.query(`SELECT name FROM customers WHERE company_id = $1 AND external_ref = 'C-1'`, [a.id]);
    expect(still.name).toBe('Import Ilona');
  });

  it('refuses a body without rows or with too many, and audits each call with its counts', async () => {
    await request(app.url).post('/api/v1/integration/customers').set('Authorization', `Bearer ${keyA.key}`).send({ items: [] }).expect(400);
    const many = Array.from({ length: 10_001 }, () => ({}));
    const tooMany = await send(keyA, 'customers', many).expect(400);
    expect(tooMany.body.message).toContain('10000');
    const audit = await dataSource.query(
      `SELECT operation, status, detail FROM integration_audit_events WHERE key_id = $1 AND event = 'call' ORDER BY id DESC LIMIT 3`,
      [keyA.id],
    );
    expect(audit[0]).toMatchObject({ operation: 'POST /api/v1/integration/customers', status: 400 });
    const [withCounts] = await dataSource.query(
      `SELECT detail FROM integration_audit_events WHERE key_id = $1 AND event = 'call' AND status = 200 ORDER BY id LIMIT 1`,
      [keyA.id],
    );
    expect(withCounts.detail).toBe('inserted=2 updated=0 unchanged=0');
  });
});
