import request from 'supertest';
import { DataSource } from 'typeorm';
import { CUSTOMER_SEARCH_SQL } from '../../src/billing/customer-lookup.service';
import { formatMoney } from '../../src/web/format';
import { MeterQueries } from '../../src/metering/meter-queries.service';
import { ReadingService } from '../../src/metering/reading.service';
import { createTestClerk, TestClerk } from '../support/clerk-factories';
import { loginTestCustomer, TestCustomerSession } from '../support/customer-session';
import { openTestDataSource } from '../support/database';
import { RunningApp, startTestApp } from '../support/http-app';
import { createCustomer } from '../metering/fixtures';
import { loadMintaCopy, MintaCopy } from './fixtures';
import { pdfText } from './pdf-text';

/** 38 837 Ft with the formatter's no-break spaces, as the pages write it. */
const ft = (text: string) => text.replace(/ /g, '\u00a0');

/** Binary bodies (the PDF) as a Buffer. */
function binary(res: request.Response, callback: (error: Error | null, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => callback(null, Buffer.concat(chunks)));
}

const SEED_OPEN = 38837 + 550 + 305 + 4 * 570;

describe('invoices, debts, PDF and home (HTTP)', () => {
  let dataSource: DataSource;
  let running: RunningApp;
  let minta: MintaCopy;
  let session: TestCustomerSession;
  let other: TestCustomerSession;

  beforeAll(async () => {
    dataSource = await openTestDataSource();
    running = await startTestApp();
    minta = await loadMintaCopy(dataSource);
    session = await loginTestCustomer(running, dataSource, minta.companyId, minta.customerId);
    const otherId = await createCustomer(dataSource, minta.companyId);
    other = await loginTestCustomer(running, dataSource, minta.companyId, otherId);
  });

  afterAll(async () => {
    await running?.close();
    await dataSource?.destroy();
  });

  const api = (path: string, who = session) => request(running.url).get(path).auth(who.bearer, { type: 'bearer' });
  const page = (path: string, who = session) => request(running.url).get(path).set('Cookie', who.cookie).set('Accept', 'text/html');

  describe('invoices', () => {
    it("list the seed's invoices newest first, with the derived status, and page by keyset", async () => {
      const all = await api('/api/v1/invoices').expect(200);
      expect(all.body.items.map((i: { invoiceNumber: string }) => i.invoiceNumber)).toEqual([
        '2014S000572',
        '2014S000514',
        '2014S000460',
        '2014S000408',
        '2013S000514',
      ]);
      expect(all.body.items[0]).toMatchObject({ dueOn: '2014-11-30', grossTotal: 38837, openAmount: 38837, status: 'overdue' });
      expect(all.body.items[1]).toMatchObject({ grossTotal: 25785, openAmount: 0, status: 'settled' });
      expect(all.body.nextCursor).toBeNull();

      const first = await api('/api/v1/invoices?year=2014&limit=3').expect(200);
      expect(first.body.items).toHaveLength(3);
      const second = await api(`/api/v1/invoices?year=2014&limit=3&before=${first.body.nextCursor as string}`).expect(200);
      expect(second.body.items.map((i: { invoiceNumber: string }) => i.invoiceNumber)).toEqual(['2014S000408']);
      expect(second.body.nextCursor).toBeNull();

      await api('/api/v1/invoices?before=nonsense').expect(400);
      await api('/api/v1/invoices?year=abc').expect(400);
    });

    it("show the seed's table on the page: its words, Hungarian money and dates, one card per invoice on a phone", async () => {
      const res = await page('/invoices').expect(200);
      for (const word of ['Típus', 'Számlaszám', 'Fiz.hat.', 'Fizetendő össz.', 'Tartozás', 'Státusz', 'Nyomtatás', 'Megnyitás']) {
        expect(res.text).toContain(word);
      }
      expect(res.text).toContain('data-table--stack');
      expect(res.text).toContain(ft('38 837 Ft'));
      expect(res.text).toContain('2014.11.30');
      expect(res.text).toContain('Kiegyenlített');
      expect(res.text).toContain('Lejárt');
      // The newest year by default: the seed's four invoices, not 2013's.
      expect(res.text).not.toContain('2013S000514');
      expect((await page('/invoices?year=all').expect(200)).text).toContain('2013S000514');
    });

    it('show an invoice with its lines adding up, the VAT summary, consumption and service point', async () => {
      const id = minta.invoiceIds['2014S000514'];
      const detail = (await api(`/api/v1/invoices/${id}`).expect(200)).body;
      expect(detail.lines.reduce((sum: number, line: { grossAmount: number }) => sum + line.grossAmount, 0)).toBe(25785);
      expect(detail.vatSummary).toEqual([expect.objectContaining({ vatRate: 5, grossAmount: 25785 })]);
      expect(detail.totals.grossAmount).toBe(25785);
      expect(detail).toMatchObject({ consumption: 5, consumptionUnit: 'm3', servicePoint: { address: 'Minta tér G.ép. 9.em. 48.' } });
      const html = (await page(`/invoices/${id}`).expect(200)).text;
      expect(html).toContain('ÁFA-összesítő');
      expect(html).toContain('Fűtési hődíj');
      expect(html).toContain('5 m³');
    });

    it("answers 404 for another customer's invoice, page, API and PDF alike", async () => {
      const id = minta.invoiceIds['2014S000572'];
      await api(`/api/v1/invoices/${id}`, other).expect(404);
      await api(`/api/v1/invoices/${id}/pdf`, other).expect(404);
      await page(`/invoices/${id}`, other).expect(404);
      await page(`/invoices/${id}/pdf`, other).expect(404);
    });
  });

  describe('the invoice PDF', () => {
    it('is a tagged PDF in Hungarian with the number, amounts and accented letters, under a Hungarian file name', async () => {
      const id = minta.invoiceIds['2014S000572'];
      const res = await page(`/invoices/${id}/pdf`).buffer(true).parse(binary).expect(200);
      expect(res.headers['content-type']).toBe('application/pdf');
      expect(res.headers['content-disposition']).toBe(
        `inline; filename="Szamla_2014S000572.pdf"; filename*=UTF-8''Sz%C3%A1mla_2014S000572.pdf`,
      );
      const pdf = res.body as Buffer;
      expect(pdf.subarray(0, 8).toString('latin1')).toBe('%PDF-1.7');
      const raw = pdf.toString('latin1');
      for (const marker of [
        '/StructTreeRoot',
        '/MarkInfo',
        '/Lang (hu-HU)',
        '/DisplayDocTitle true',
        '/S /TH',
        '/S /Table',
        'pdfuaid:part',
      ]) {
        expect({ marker, found: raw.includes(marker) }).toEqual({ marker, found: true });
      }
      const text = (await pdfText(pdf)).replace(/\u00a0/g, ' ');
      for (const expected of [
        '2014S000572',
        '38 837 Ft',
        'Minta Ügyfél',
        'SU0044',
        '2014.11.30',
        'Fizetési határidő',
        'Fűtési hődíj',
        'ÁFA-összesítő',
        'Lejárt',
      ]) {
        expect({ expected, found: text.includes(expected) }).toEqual({ expected, found: true });
      }
      expect(text).toMatch(/ő/);
      expect(text).toMatch(/ű/);
    });

    it('gives the same bytes for the same data, through the API too', async () => {
      const id = minta.invoiceIds['2014S000408'];
      const one = await api(`/api/v1/invoices/${id}/pdf`).buffer(true).parse(binary).expect(200);
      const two = await page(`/invoices/${id}/pdf`).buffer(true).parse(binary).expect(200);
      expect(one.headers['content-type']).toBe('application/pdf');
      expect(Buffer.compare(one.body as Buffer, two.body as Buffer)).toBe(0);
    });
  });

  describe('debts', () => {
    it('list open items first, explain the interest and give the amount that settles everything today', async () => {
      const view = (await api('/api/v1/debts').expect(200)).body;
      expect(view.openTotal).toBe(SEED_OPEN);
      const firstPaid = view.items.findIndex((item: { openAmount: number }) => item.openAmount === 0);
      expect(view.items.slice(0, firstPaid).every((item: { openAmount: number }) => item.openAmount > 0)).toBe(true);
      expect(view.items.slice(firstPaid).every((item: { openAmount: number }) => item.openAmount === 0)).toBe(true);

      const interest = view.items.find((item: { kind: string }) => item.kind === 'interest');
      expect(interest.interest).toMatchObject({ principal: 66365, from: '2013-10-01', to: '2014-11-10', days: 406, amount: 2254 });
      expect(interest.interest.segments).toHaveLength(3);

      const accruing = view.items.find((item: { reference: string }) => item.reference === '2014S000572').accruing;
      expect(accruing).toMatchObject({ principal: 38837, from: '2014-12-01' });
      expect(accruing.amount).toBeGreaterThan(0);
      expect(view.accruedInterest).toBe(accruing.amount);
      expect(view.settlesToday).toBe(SEED_OPEN + accruing.amount);
    });

    it("render the seed's two tables, preselecting every open item for payment in a form ending with the pay button", async () => {
      const html = (await page('/debts').expect(200)).text;
      expect(html).toContain('<form method="get" action="/payments/new"');
      for (const word of ['Megnevezés', 'Jogcím', 'Tartozás', 'Befizetés', 'Saját tartozás', 'Befizetve', 'Fiz.felsz:2014000295']) {
        expect(html).toContain(word);
      }
      const boxes = [...html.matchAll(/<input type="checkbox" name="items" value="(\d+)" checked>/g)].map((match) => Number(match[1]));
      const openIds = (
        (await dataSource.query(`SELECT id FROM debt_items WHERE company_id = $1 AND customer_id = $2 AND open_amount > 0`, [
          minta.companyId,
          minta.customerId,
        ])) as Array<{ id: string }>
      ).map((row) => Number(row.id));
      expect(boxes.sort()).toEqual(openIds.sort());
      expect(boxes).toHaveLength(7);
      const start = html.indexOf('action="/payments/new"');
      expect(html.slice(start, html.indexOf('</form>', start))).toMatch(
        /<button type="submit" class="button">Kijelöltek fizetése bankkártyával<\/button>/,
      );
      expect(html).toContain('Ptk. 6:48');
      expect(html).toContain(ft('2 254 Ft'));
    });
  });

  describe('home', () => {
    it('answers "do I owe anything, and do I need to do anything"', async () => {
      const home = (await api('/api/v1/home').expect(200)).body;
      expect(home).toMatchObject({
        openBalance: SEED_OPEN,
        nextDueOn: '2014-11-30',
        overdue: true,
        newestInvoice: { invoiceNumber: '2014S000572', status: 'overdue' },
        metersWithOpenWindow: 1,
        unreadMessages: 2,
        openRequests: [],
      });
      const html = (await page('/').expect(200)).text;
      expect(html).toContain('<h1>Kezdőlap</h1>');
      expect(html).toContain(formatMoney(SEED_OPEN));
      expect(html).toContain('2014S000572');
      expect(html).toContain('href="/readings"');
    });

    it('names an open request by its kind, on the API and the page', async () => {
      const meters = (await api('/api/v1/meters').expect(200)).body.items as Array<{
        id: number;
        window: { open: boolean };
        lastReading: { value: number } | null;
      }>;
      const meter = meters.find((m) => m.window.open)!;
      const reading = await request(running.url)
        .post('/api/v1/readings')
        .auth(session.bearer, { type: 'bearer' })
        .send({ meterId: meter.id, value: String((meter.lastReading?.value ?? 0) + 1) })
        .expect(201);
      const home = (await api('/api/v1/home').expect(200)).body;
      expect(home.openRequests).toEqual([
        expect.objectContaining({ id: reading.body.requestId, kind: 'meter_reading', state: 'submitted' }),
      ]);
      const html = (await page('/').expect(200)).text;
      expect(html).toContain('Mérőóraállás');
      expect(html).toContain('<strong>beküldve</strong>');
    });

    it('keeps the landing page for visitors', async () => {
      const html = (await request(running.url).get('/').set('Accept', 'text/html').expect(200)).text;
      expect(html).toContain('href="/register"');
      expect(html).not.toContain(formatMoney(SEED_OPEN));
    });
  });
});

describe('clerk customer look-up (HTTP)', () => {
  let dataSource: DataSource;
  let running: RunningApp;
  let minta: MintaCopy;
  let clerk: TestClerk;
  let clerkToken: string;
  let outsiderToken: string;
  let supervisorToken: string;

  async function token(who: TestClerk): Promise<string> {
    const res = await request(running.url)
      .post('/api/v1/backoffice/auth/login')
      .send({ company: who.companyCode, email: who.email, password: who.password })
      .expect(200);
    return res.body.token as string;
  }

  beforeAll(async () => {
    dataSource = await openTestDataSource();
    running = await startTestApp();
    minta = await loadMintaCopy(dataSource);
    const company = { id: minta.companyId, code: minta.companyCode };
    clerk = await createTestClerk(dataSource, company, 'clerk');
    clerkToken = await token(clerk);
    supervisorToken = await token(await createTestClerk(dataSource, company, 'supervisor'));
    const otherCompany = await loadMintaCopy(dataSource);
    outsiderToken = await token(await createTestClerk(dataSource, { id: otherCompany.companyId, code: otherCompany.companyCode }, 'clerk'));
  });

  afterAll(async () => {
    await dataSource?.query(`DELETE FROM central_bank_base_rates WHERE clerk_id IS NOT NULL AND valid_from >= '2090-01-01'`);
    await running?.close();
    await dataSource?.destroy();
  });

  const api = (path: string, bearer = clerkToken) => request(running.url).get(path).auth(bearer, { type: 'bearer' });

  async function viewEvents(): Promise<Array<{ actor_kind: string; actor_id: string; detail: string }>> {
    return (await dataSource.query(
      `SELECT actor_kind, actor_id, detail FROM security_events WHERE company_id = $1 AND event = 'customer_viewed' ORDER BY id`,
      [minta.companyId],
    )) as Array<{ actor_kind: string; actor_id: string; detail: string }>;
  }

  it('finds the customer by the start of the code, name, e-mail, address or an invoice number, in its own company only', async () => {
    for (const term of ['su00', 'Minta Ü', 'minta ü', 'DEMO@ugyfel', 'Minta tér', '2014S0005']) {
      const res = await api(`/api/v1/backoffice/customers?q=${encodeURIComponent(term)}`).expect(200);
      expect({ term, ids: res.body.items.map((hit: { id: number }) => hit.id) }).toEqual({ term, ids: [minta.customerId] });
    }
    expect((await api('/api/v1/backoffice/customers?q=S').expect(200)).body.items).toEqual([]);
    expect((await api('/api/v1/backoffice/customers?q=%25%25').expect(200)).body.items).toEqual([]);
    const outsider = await api('/api/v1/backoffice/customers?q=SU0044', outsiderToken).expect(200);
    expect(outsider.body.items.map((hit: { id: number }) => hit.id)).not.toContain(minta.customerId);
  });

  it('has a company-led prefix index for every branch of the search (bench/billing.ts shows the plans at scale)', async () => {
    const rows = (await dataSource.query(
      `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND indexname LIKE '%prefix_idx' ORDER BY 1`,
    )) as Array<{ indexname: string; indexdef: string }>;
    expect(Object.fromEntries(rows.map((row) => [row.indexname, row.indexdef.replace(/^.* USING btree /, '')]))).toEqual({
      customers_address_prefix_idx: '(company_id, lower(address) text_pattern_ops)',
      customers_code_prefix_idx: '(company_id, code text_pattern_ops)',
      customers_email_prefix_idx: '(company_id, lower(email) text_pattern_ops)',
      customers_name_prefix_idx: '(company_id, lower(name) text_pattern_ops)',
      invoices_number_prefix_idx: '(company_id, invoice_number text_pattern_ops)',
      service_points_address_prefix_idx: '(company_id, lower(address) text_pattern_ops)',
    });
    // Each branch compares exactly the indexed expression with a prefix pattern, so the index can serve it.
    for (const branch of [
      'code LIKE $3',
      'lower(name) LIKE $2',
      'lower(email) LIKE $2',
      'lower(address) LIKE $2',
      'invoice_number LIKE $3',
    ]) {
      expect(CUSTOMER_SEARCH_SQL).toContain(branch);
    }
    // …and orders by the index's own operator, so a prefix shared by thousands stops after the first 20 in the index.
    expect(CUSTOMER_SEARCH_SQL.match(/ORDER BY \S+ USING ~<~ LIMIT \$4\)/g)).toHaveLength(6);
  });

  it("shows a customer's page with invoices, debts, meters and open requests, recording who looked at whom", async () => {
    const meter = (await running.app.get(MeterQueries).meters(minta.companyId, minta.customerId)).find((m) => m.window.open)!;
    const submitted = await running.app
      .get(ReadingService)
      .submit(minta.companyId, minta.customerId, { meterId: meter.id, value: String((meter.lastReading?.value ?? 0) + 1) });
    if (!submitted.ok) throw new Error(submitted.error.message);
    const before = await viewEvents();
    const detail = (await api(`/api/v1/backoffice/customers/${minta.customerId}`).expect(200)).body;
    expect(detail.openRequests).toEqual([expect.objectContaining({ id: submitted.value.requestId, kind: 'meter_reading' })]);
    expect(detail.customer).toMatchObject({ code: 'SU0044', name: 'Minta Ügyfél', customerType: 'household' });
    expect(detail.invoices.items).toHaveLength(5);
    expect(detail.debts.openTotal).toBe(SEED_OPEN);
    expect(detail.servicePoints[0].meters[0].serialNumber).toBe('37461');
    // Each meter's newest billable readings, newest first, with the consumption since the one before.
    const recent = detail.servicePoints.flatMap((point: { meters: unknown[] }) => point.meters) as Array<{
      id: number;
      recentReadings: Array<{ readOn: string; value: number; consumption: number | null }>;
    }>;
    for (const each of recent) {
      const history = await running.app.get(MeterQueries).history(minta.companyId, minta.customerId, each.id);
      expect(each.recentReadings).toEqual(history.slice(0, 6));
    }
    expect(recent.some((each) => each.recentReadings.length > 1)).toBe(true);
    const [payment] = (await dataSource.query(
      `INSERT INTO payments (company_id, customer_id, amount, status, gateway, order_ref, gateway_reference, debt_item_ids,
                             confirmed_at, finished_at, paid_amount, paid_currency)
       VALUES ($1, $2, 1234, 'succeeded', 'simplepay', gen_random_uuid(), 'BANK-REF-1', ARRAY[]::bigint[], now(), now(), 1234, 'HUF')
       RETURNING id`,
      [minta.companyId, minta.customerId],
    )) as Array<{ id: string }>;
    const html = (
      await request(running.url)
        .get(`/backoffice/customers/${minta.customerId}`)
        .auth(clerkToken, { type: 'bearer' })
        .set('Accept', 'text/html')
        .expect(200)
    ).text;
    expect(html).toContain('Minta Ügyfél (SU0044)');
    expect(html).toContain('2014S000572');
    expect(html).toContain('Mérőóraállás');
    expect(html).toContain('Korábbi leolvasások');
    expect(html).toContain('fogyasztás: ');
    // The customer's card payments are on the page the moment they exist.
    expect(html).toContain(`data-payment-id="${payment.id}"`);
    expect(html).toContain('BANK-REF-1');
    const after = await viewEvents();
    expect(after.length - before.length).toBe(2);
    expect(after.at(-1)).toEqual({ actor_kind: 'clerk', actor_id: String(clerk.id), detail: `customer ${minta.customerId} SU0044` });

    await api(`/api/v1/backoffice/customers/${minta.customerId}`, outsiderToken).expect(404);
    expect((await viewEvents()).length).toBe(after.length);
  });

  it('lets a supervisor, not a clerk, extend the base-rate history once per day', async () => {
    const day = `209${process.pid % 10}-0${1 + (process.pid % 9)}-15`;
    const add = (bearer: string, body: object) =>
      request(running.url).post('/api/v1/backoffice/base-rates').auth(bearer, { type: 'bearer' }).send(body);
    await add(clerkToken, { validFrom: day, rate: 6.25 }).expect(403);
    await add(supervisorToken, { validFrom: '2026-02-30', rate: 6.25 }).expect(400);
    await add(supervisorToken, { validFrom: day, rate: 6.255 }).expect(400);
    expect((await add(supervisorToken, { validFrom: day, rate: 6.25 }).expect(201)).body).toEqual({ validFrom: day, rate: 6.25 });
    await add(supervisorToken, { validFrom: day, rate: 6 }).expect(409);
    const list = (await api('/api/v1/backoffice/base-rates').expect(200)).body.items as Array<{ validFrom: string; rate: number }>;
    expect(list[0]).toMatchObject({ validFrom: day, rate: 6.25 });
    expect(list).toContainEqual(expect.objectContaining({ validFrom: '2013-06-26', rate: 4.25, addedBy: null }));
  });
});
