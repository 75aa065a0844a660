import { Module } from '@nestjs/common';
import { NotificationsModule } from '../notifications/notifications.module';
import { BackofficePaymentsController } from './backoffice-payments.controller';
import { BackofficePaymentsPages } from './backoffice-payments.pages';
import { ManualAllocationService } from './manual-allocation.service';
import { PAYMENT_GATEWAY } from './payment-gateway';
import { PaymentOutboxProcessor } from './payment-outbox.processor';
import { PaymentQueries } from './payment-queries.service';
import { PaymentReconcileProcessor } from './payment-reconcile.processor';
import { PaymentSettlement } from './payment-settlement.service';
import { PaymentStartService } from './payment-start.service';
import { PaymentsController } from './payments.controller';
import { PaymentsPages } from './payments.pages';
import { SimplePayIpnController } from './simplepay/simplepay-ipn.controller';
import { SimplePayGateway } from './simplepay/simplepay.gateway';

/**
 * Card payments: the gateway port with its SimplePay adapter, starting a payment,
 * recording the bank's answer (IPN, browser return, reconciler), allocation, the
 * customer's pages and API, and the clerks' payment list and manual allocation.
 * PaymentQueries is exported for the clerk's customer page (forCustomer).
 */
@Module({
  imports: [NotificationsModule],
  controllers: [PaymentsController, SimplePayIpnController, PaymentsPages, BackofficePaymentsController, BackofficePaymentsPages],
  providers: [
    { provide: PAYMENT_GATEWAY, useClass: SimplePayGateway },
    PaymentStartService,
    PaymentSettlement,
    PaymentQueries,
    ManualAllocationService,
    PaymentOutboxProcessor,
    PaymentReconcileProcessor,
  ],
  exports: [PaymentQueries],
})
export class PaymentsModule {}
