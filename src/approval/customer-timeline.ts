import { Language, translate } from '../web/i18n';
import { CustomerRequestView } from './customer-requests.service';

/**
 * A customer's request as the `approval/timeline` partial shows it on a kind's page:
 * the steps with their dates ("elutasítva: <reason>"), by when the answer comes while
 * it is open, and whether it can still be withdrawn (only before review).
 */
export function timelineModel(lang: Language, request: CustomerRequestView, back: string) {
  return {
    id: request.id,
    version: request.version,
    summary: request.summary,
    answerBy: request.answerBy,
    canWithdraw: request.state === 'submitted',
    back,
    steps: request.timeline.map((step) => ({
      state: step.state,
      at: step.at,
      label:
        step.state === 'rejected' && step.reason
          ? translate(lang, 'approval.timeline.rejectedWith', { reason: step.reason })
          : translate(lang, `approval.timeline.${step.state}`),
    })),
  };
}
