import { Module } from '@nestjs/common';
import { WorkflowEngine } from '../../libs/workflow/workflow-engine';
import { NotificationsModule } from '../notifications/notifications.module';
import { AnswerDeadlines } from './answer-deadlines.service';
import { ApprovalQueueService } from './approval-queue.service';
import { ApplyProcessor } from './apply.processor';
import { BackofficeHomePages } from './backoffice-home.pages';
import { BackofficeRequestsController } from './backoffice-requests.controller';
import { CustomerRequestPages } from './customer-request.pages';
import { FailedEmailsController } from './failed-emails.controller';
import { FailedEmailsPages } from './failed-emails.pages';
import { ReminderRunsController } from './reminder-runs.controller';
import { ReminderRunsPages } from './reminder-runs.pages';
import { CustomerRequestsController } from './customer-requests.controller';
import { CustomerRequestsService } from './customer-requests.service';
import { QueuePages } from './queue.pages';
import { RequestDecidedProcessor } from './request-decided.processor';
import { RequestKinds } from './request-kind';
import { RequestQueries } from './request-queries.service';
import { ReviewService } from './review.service';
import { StalledWorkController } from './stalled-work.controller';
import { StalledWorkPages } from './stalled-work.pages';
import { StalledWorkService } from './stalled-work.service';
import { workflowProviders } from './workflow.providers';

/**
 * The request engine in Nest: one WorkflowEngine and the RequestKinds registry (each
 * kind registers from its own module, e.g. MeteringModule; approval imports none of
 * them), the apply processor, the clerk work queue and review operations with their
 * back-office pages and JSON API, the supervisors' views of stalled work, reminder runs
 * and failed e-mails (their data from notifications), and the
 * customer's requests (timeline, withdrawal).
 */
@Module({
  imports: [NotificationsModule],
  controllers: [
    BackofficeHomePages,
    BackofficeRequestsController,
    QueuePages,
    StalledWorkController,
    StalledWorkPages,
    CustomerRequestsController,
    CustomerRequestPages,
    ReminderRunsController,
    ReminderRunsPages,
    FailedEmailsController,
    FailedEmailsPages,
  ],
  providers: [
    ...workflowProviders,
    RequestKinds,
    ApplyProcessor,
    RequestDecidedProcessor,
    ApprovalQueueService,
    ReviewService,
    RequestQueries,
    CustomerRequestsService,
    StalledWorkService,
    AnswerDeadlines,
  ],
  exports: [WorkflowEngine, RequestKinds, CustomerRequestsService, RequestQueries, AnswerDeadlines],
})
export class ApprovalModule {}
