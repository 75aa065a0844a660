/**
 * A provider message to every customer of a company with N customers: MessageService.send
 * (one transaction: the message, one INSERT … SELECT of the recipient rows, the count)
 * beside the same statements run with plain pg, and a segment (town + service type +
 * overdue) through the service. Prints milliseconds, recipients per second and the
 * service's share of the plain run, on a scratch database of its own.
 *
 *   npx ts-node --transpile-only bench/messages.ts [N=100000] [--rounds=3]
 */
import { loadavg } from 'node:os';
import { Logger } from '@nestjs/common';
import { Client } from 'pg';
import { parseConfig } from '../config/configuration';
import { EmailRenderer } from '../src/notifications/email-renderer';
import { EmailService } from '../src/notifications/email.service';
import { EmailAttachments } from '../src/notifications/email-attachments';
import { MessageCounts } from '../src/notifications/message-counts.service';
import { MessageService, SendMessageInput } from '../src/notifications/message.service';
import { NotificationPreferenceService } from '../src/notifications/notification-preference.service';
import { benchArgs, withScratchDatabase } from './bench-kit';

const TOWNS = [
  'Szentes',
  'Szeged',
  'Csongrád',
  'Hódmezővásárhely',
  'Makó',
  'Kistelek',
  'Mindszent',
  'Szegvár',
  'Fábiánsebestyén',
  'Nagymágocs',
];
const METER_TYPES = ['heat', 'hot_water', 'cold_water', 'gas'];

/** N customers, each with a service point in one of ten towns and a meter of one of four types; every third has an overdue invoice. Set-based. */
async function load(client: Client, customers: number): Promise<{ companyId: number; clerkId: number }> {
  const [company] = (await client.query(`INSERT INTO companies (code, name) VALUES ('bench-messages', 'Üzenet Teszt Kft.') RETURNING id`))
    .rows as Array<{ id: number }>;
  const [clerk] = (
    await client.query(
      `INSERT INTO clerks (company_id, email, name, role, password_hash) VALUES ($1, 'cs@bench.local', 'Csoportvezető', 'supervisor', 'x') RETURNING id`,
      [company.id],
    )
  ).rows as Array<{ id: number }>;
  await client.query(
    `INSERT INTO customers (company_id, code, name, postcode, town, address)
     SELECT $1, 'MS' || lpad(g::text, 7, '0'), 'Ügyfél ' || g, '6600', ($3::text[])[1 + g % 10], 'Fő utca ' || g FROM generate_series(1, $2) g`,
    [company.id, customers, TOWNS],
  );
  await client.query(
    `INSERT INTO service_points (company_id, customer_id, postcode, town, address)
     SELECT company_id, id, postcode, town, address FROM customers WHERE company_id = $1`,
    [company.id],
  );
  await client.query(
    `INSERT INTO meters (company_id, service_point_id, serial_number, type, unit)
     SELECT company_id, id, 'MS' || id, ($2::text[])[1 + (customer_id / 10) % 4], 'm3' FROM service_points WHERE company_id = $1`,
    [company.id, METER_TYPES],
  );
  await client.query(
    `INSERT INTO invoices (company_id, customer_id, invoice_number, type, period, issued_on, due_on, gross_total, open_amount)
     SELECT company_id, id, 'MS-' || id, 'gas', date_trunc('month', current_date - 40)::date, current_date - 40, current_date - 10, 10000, 10000
       FROM customers WHERE company_id = $1 AND id % 3 = 0`,
    [company.id],
  );
  await client.query(`ANALYZE`);
  return { companyId: company.id, clerkId: clerk.id };
}

/** What MessageService.send does for a message to everyone, as plain statements. */
async function plainSend(client: Client, companyId: number, clerkId: number): Promise<number> {
  await client.query('BEGIN');
  const [message] = (
    await client.query(
      `INSERT INTO messages (company_id, customer_id, segment, subject, body, body_format, created_by_clerk_id, by_email)
       VALUES ($1, NULL, '{}', 'Plain', 'Szöveg', 'plain', $2, false) RETURNING id`,
      [companyId, clerkId],
    )
  ).rows as Array<{ id: string }>;
  const [added] = (
    await client.query(
      `WITH added AS (
         INSERT INTO message_recipients (company_id, customer_id, message_id)
         SELECT c.company_id, c.id, $2 FROM customers c WHERE c.company_id = $1 AND true RETURNING 1)
       SELECT count(*)::int AS n FROM added`,
      [companyId, message.id],
    )
  ).rows as Array<{ n: number }>;
  await client.query(`UPDATE messages SET recipient_count = $3, emails_queued = 0 WHERE company_id = $1 AND id = $2`, [
    companyId,
    message.id,
    added.n,
  ]);
  await client.query('COMMIT');
  return added.n;
}

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = process.hrtime.bigint();
  const value = await work();
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, value };
}

const line = (label: string, ms: number, recipients: number) =>
  `${label}: ${recipients} recipients in ${ms.toFixed(0)} ms (${Math.round(recipients / (ms / 1000))} rows/s)`;

async function main(): Promise<void> {
  Logger.overrideLogger(['warn', 'error']);
  const { count: customers, keep, option } = benchArgs(100_000);
  const rounds = option('rounds', 3);
  await withScratchDatabase('messages', { poolSize: 4, keep }, async (dataSource, databaseUrl) => {
    const client = new Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const loaded = await timed(() => load(client, customers));
      process.stdout.write(`loaded ${customers} customers in ${(loaded.ms / 1000).toFixed(1)} s\n`);
      const { companyId, clerkId } = loaded.value;
      const config = parseConfig(process.env);
      const preferences = new NotificationPreferenceService(dataSource);
      const messages = new MessageService(
        config,
        dataSource,
        new EmailService(config, new EmailRenderer(), preferences, new EmailAttachments()),
        new MessageCounts(dataSource),
      );
      const sender = { companyId, clerkId, role: 'supervisor' };
      const everyone: SendMessageInput = {
        subject: 'Mindenkinek',
        body: 'Tisztelt Ügyfelünk!',
        bodyFormat: 'plain',
        audience: { segment: {} },
        byEmail: false,
      };
      for (let round = 1; round <= rounds; round += 1) {
        const service = await timed(() => messages.send(sender, everyone));
        if (service.value.kind !== 'sent') throw new Error(`not sent: ${service.value.kind}`);
        const plain = await timed(() => plainSend(client, companyId, clerkId));
        const segment = await timed(() =>
          messages.send(sender, { ...everyone, audience: { segment: { town: 'Szentes', serviceType: 'gas', overdue: true } } }),
        );
        if (segment.value.kind !== 'sent') throw new Error(`segment not sent: ${segment.value.kind}`);
        process.stdout.write(
          `round ${round}: ${line('MessageService.send, everyone', service.ms, service.value.recipientCount)}; ` +
            `${line('plain pg', plain.ms, plain.value)}; service ${Math.round((plain.ms / service.ms) * 100)} % of plain; ` +
            `${line('segment Szentes+gas+overdue', segment.ms, segment.value.recipientCount)}\n`,
        );
      }
      process.stdout.write(
        `load average ${loadavg()
          .map((value) => value.toFixed(1))
          .join(' ')}\n`,
      );
    } finally {
      await client.end();
    }
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
