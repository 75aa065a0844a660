import { DataSource } from 'typeorm';
import { RequestApplier } from '../../libs/workflow/request-applier';
import { WorkflowEngine } from '../../libs/workflow/workflow-engine';

/** The engine and applier live in libs (no Nest there); these build them once per app. */
export const workflowProviders = [
  { provide: WorkflowEngine, useFactory: () => new WorkflowEngine() },
  {
    provide: RequestApplier,
    useFactory: (dataSource: DataSource, engine: WorkflowEngine) => new RequestApplier(dataSource, engine),
    inject: [DataSource, WorkflowEngine],
  },
];
