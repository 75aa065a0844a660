import { WorkflowEngine } from '../../libs/workflow/workflow-engine';
import { createReviewMachine } from '../../libs/workflow/review-machine';
import { JOBS } from '../jobs';
import { PortalRequestKind, RequestKinds } from './request-kind';

const kind = (effects: PortalRequestKind['effects']): PortalRequestKind => ({
  kind: 'sample',
  machineVersion: 1,
  machine: createReviewMachine('sample'),
  subject: () => ({ subjectRef: 'x', liveKey: null }),
  answerDays: 15,
  effects,
  apply: async () => undefined,
  labelKey: 'sample',
  bulkApprovable: false,
  lines: async () => new Map(),
  clerkDetail: async () => ({ partial: 'sample', model: {} }),
  customerView: () => ({ summary: '', details: {} }),
  decisionTopic: 'address_changed',
  decisionEmail: async () => ({ subject: 's', summary: 's', link: { path: '/', label: 'l' } }),
});

describe('RequestKinds', () => {
  it('adds the decision e-mail job to every decided state of a kind, after its own jobs, once', () => {
    const engine = new WorkflowEngine();
    new RequestKinds(engine).register(kind({ approved: [JOBS.applyRequest], rejected: [JOBS.requestDecided] }));
    expect(engine.kind('sample').effects).toEqual({
      approved: [JOBS.applyRequest, JOBS.requestDecided],
      rejected: [JOBS.requestDecided],
      applied: [JOBS.requestDecided],
    });
  });
});
