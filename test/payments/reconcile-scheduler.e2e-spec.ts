import { DataSource } from 'typeorm';
import { loginTestCustomer } from '../support/customer-session';
import { openTestDataSource } from '../support/database';
import { createDebts, PaymentWorld, startPayment, startPaymentWorld } from './fixtures';
import { QueuesService } from '../../src/core/queues.service';
import { JOBS } from '../../src/jobs';

/** The reconciler runs as one BullMQ job scheduler, whatever number of workers upsert it. */
describe('payment reconciliation scheduler', () => {
  let dataSource: DataSource;
  let world: PaymentWorld;

  beforeAll(async () => {
    dataSource = await openTestDataSource();
    world = await startPaymentWorld(dataSource, { withWorker: true, env: { PAYMENT_RECONCILE_SECONDS: '1' } });
  });

  afterAll(async () => {
    await world?.close();
    await dataSource?.destroy();
  });

  it('is one schedule across workers, and its runs expire a payment abandoned past the deadline', async () => {
    const queues = world.running.app.get(QueuesService);
    // A second worker process upserts the same schedule on start.
    await queues.startSchedulers();
    const queue = queues.queue(JOBS.reconcilePayments.queue);
    const schedulers = await queue.getJobSchedulers();
    expect(schedulers.map((s) => ({ key: s.key, name: s.name, every: Number(s.every) }))).toEqual([
      { key: 'payments/reconcile', name: 'reconcile', every: 1000 },
    ]);

    const debts = await createDebts(dataSource, world.company.id);
    const session = await loginTestCustomer(world.running, dataSource, world.company.id, debts.customerId);
    const payment = await startPayment(world, session.bearer);
    await dataSource.query(`UPDATE payments SET expires_at = now() - interval '2 hours' WHERE id = $1`, [payment.id]);
    let status = 'started';
    for (let attempt = 0; attempt < 100 && status === 'started'; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      [{ status }] = (await dataSource.query(`SELECT status FROM payments WHERE id = $1`, [payment.id])) as Array<{ status: string }>;
    }
    expect(status).toBe('expired');
  });
});
