import { Module } from '@nestjs/common';
import { WorkflowEngine } from '../../libs/workflow/workflow-engine';
import { MeterHistoryModule } from '../metering/meter-history.module';
import { ApprovalQueueService } from './approval-queue.service';
import { ApplyProcessor } from './apply.processor';
import { BackofficeHomePages } from './backoffice-home.pages';
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
  imports: [MeterHistoryModule],
  controllers: [BackofficeHomePages, BackofficeRequestsController, QueuePages],
  providers: [...workflowProviders, ApplyProcessor, RequestDecidedProcessor, ApprovalQueueService, ReviewService, RequestQueries],
  exports: [WorkflowEngine],
})
export class ApprovalModule {}
