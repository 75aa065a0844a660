import { Module } from '@nestjs/common';
import { WorkflowEngine } from '../../libs/workflow/workflow-engine';
import { BackofficeModule } from '../backoffice/backoffice.module';
import { MeterHistoryModule } from '../metering/meter-history.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { ApprovalQueueService } from './approval-queue.service';
import { ApplyProcessor } from './apply.processor';
import { BackofficeRequestsController } from './backoffice-requests.controller';
import { QueuePages } from './queue.pages';
import { RequestDecidedProcessor } from './request-decided.processor';
import { RequestQueries } from './request-queries.service';
import { ReviewService } from './review.service';
import { workflowProviders } from './workflow.providers';

/**
 * The request engine in Nest: one WorkflowEngine (request kinds register on it
 * from their own modules, e.g. MeteringModule), the apply processor, the clerk
 * work queue and review operations, and their back-office pages and JSON API.
 */
@Module({
  imports: [BackofficeModule, MeterHistoryModule, NotificationsModule],
  controllers: [BackofficeRequestsController, QueuePages],
  providers: [...workflowProviders, ApplyProcessor, RequestDecidedProcessor, ApprovalQueueService, ReviewService, RequestQueries],
  exports: [WorkflowEngine],
})
export class ApprovalModule {}
