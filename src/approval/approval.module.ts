import { Module } from '@nestjs/common';
import { ApprovalQueueService } from './approval-queue.service';
import { ApplyProcessor } from './apply.processor';
import { RequestDecidedProcessor } from './request-decided.processor';
import { ReviewService } from './review.service';
import { workflowProviders } from './workflow.providers';

/**
 * The request engine in Nest: one WorkflowEngine (request kinds register on it
 * from their own modules, e.g. MeteringModule), the apply processor, the clerk
 * work queue and review operations.
 */
@Module({
  providers: [...workflowProviders, ApplyProcessor, RequestDecidedProcessor, ApprovalQueueService, ReviewService],
  exports: [...workflowProviders.map((provider) => provider.provide), ApprovalQueueService, ReviewService],
})
export class ApprovalModule {}
