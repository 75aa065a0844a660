import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig, Role } from '../config/configuration';
import { QueueDashboardModule } from './approval/queue-dashboard';
import { BillingJobsModule } from './billing/billing-jobs.module';
import { BillingModule } from './billing/billing.module';
import { CoreModule } from './core/core.module';
import { IdentityModule } from './identity/identity.module';
import { IntegrationModule } from './integration/integration.module';
import { FeedModule } from './integration/feed.module';
import { SecurityAuditModule } from './identity/security-audit.module';
import { MessagesModule } from './messages/messages.module';
import { MeteringModule } from './metering/metering.module';
import { NotificationsModule } from './notifications/notifications.module';
import { PaymentsModule } from './payments/payments.module';
import { ProfileModule } from './profile/profile.module';
import { WebModule } from './web/web.module';

/**
 * The portal's modules. Every role loads the same modules so that any process can
 * write outbox rows and register job handlers; the role decides what is started
 * (HTTP listener, workers), see bootstrap.ts.
 */
@Module({})
export class AppModule {
  static forRole(role: Role, config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CoreModule.forRoot(config),
        SecurityAuditModule,
        NotificationsModule,
        MeteringModule,
        ProfileModule,
        IdentityModule,
        PaymentsModule,
        BillingJobsModule,
        FeedModule,
        IntegrationModule,
        ...(role === 'worker' ? [] : [WebModule, BillingModule, MessagesModule, QueueDashboardModule]),
      ],
    };
  }
}
