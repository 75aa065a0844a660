import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../../config/configuration';
import { APP_CONFIG } from '../core/config.module';
import { QueuesService } from '../core/queues.service';
import { JOBS } from '../jobs';
import { PaymentSettlement } from './payment-settlement.service';

/** Payments one tick asks the bank about (the rest wait for the next tick). */
const BATCH = 500;

/**
 * `payments/reconcile`: a BullMQ job scheduler (one schedule in Redis, so one run per
 * tick across every worker process) that asks the bank about payments left in
 * "started" and expires those past the bank's deadline.
 */
@Injectable()
export class PaymentReconcileProcessor implements OnModuleInit {
  private readonly logger = new Logger(PaymentReconcileProcessor.name);

  constructor(
    private readonly queues: QueuesService,
    private readonly settlement: PaymentSettlement,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    const everyMs = this.config.PAYMENT_RECONCILE_SECONDS * 1000;
    this.queues.register(JOBS.reconcilePayments, () => this.run());
    // One tick at a time; a failed tick is simply the next one's work.
    this.queues.schedule(
      'payments/reconcile',
      JOBS.reconcilePayments,
      { every: everyMs },
      {},
      { attempts: 1, removeOnComplete: 100, removeOnFail: 100 },
    );
  }

  /** One round; a payment untouched for a tick is asked about; one a minute past its deadline is expired. */
  async run(): Promise<number> {
    const changed = await this.settlement.reconcile({
      quietMs: this.config.PAYMENT_RECONCILE_SECONDS * 1000,
      graceMs: 60_000,
      limit: BATCH,
    });
    if (changed > 0) this.logger.log({ changed }, 'payments reconciled');
    return changed;
  }
}
