import { Injectable } from '@nestjs/common';
import { RequestKind, WorkflowRequest } from '../../libs/workflow/request-workflow';
import { WorkflowEngine } from '../../libs/workflow/workflow-engine';
import { JOBS } from '../jobs';
import { NotificationTopic } from '../notifications/notification-preference.entity';
import { Language } from '../web/i18n';

/** A hint for the clerk: a label and, when the kind has one, the explanation with its numbers. */
export interface HintView {
  label: string;
  explanation: string | null;
}

/** What the queue and the API show of one request, in the clerk's language. */
export interface RequestLine {
  /** One line for the queue: what the customer asks for. */
  summary: string;
  /** The clerk's hints (why the request is flagged, what to look at). */
  hints: HintView[];
  /** The kind's own fields for the JSON API (e.g. a reading's meter and value); plain data. */
  details: Record<string, unknown>;
  /** The hints as the kind stores them, for the JSON API (`code` and its numbers). */
  hintData: ReadonlyArray<Record<string, unknown>>;
}

/** The kind's part of a request page: a partial of its own module (`{{> module/name}}`) and the model it renders. */
export interface RequestPartial {
  partial: string;
  model: Record<string, unknown>;
}

/** The decisions the customer hears about by e-mail, in the order they happen. */
export const DECISION_OUTCOMES = ['approved', 'rejected', 'applied'] as const;
export type DecisionOutcome = (typeof DECISION_OUTCOMES)[number];

/** What the customer's decision e-mail says of one request, in the customer's language. */
export interface DecisionEmail {
  /** The subject line (the template adds the company's name). */
  subject: string;
  /** The request in one sentence with its facts ("A(z) M-1234 gyári számú mérő 2025.12.01. napi állása: 365,5 m³."). */
  summary: string;
  /** The portal page about the request: a path (`/readings`) and its button's label. */
  link: { path: string; label: string };
}

/**
 * How a request kind is shown and decided in approval's pages and API. A kind's
 * module implements this beside its RequestKind and registers both on RequestKinds;
 * approval renders and decides through it only, and imports no kind's module.
 */
export interface RequestPresentation {
  /** Translation key of the kind's name (queue filter, request page, customer timeline). */
  labelKey: string;
  /** Whether an unflagged request of the kind may be approved with others at once. */
  bulkApprovable: boolean;
  /** The queue lines of many requests of this kind at once (one query for all, not one each). */
  lines(companyId: number, requests: readonly WorkflowRequest[], lang: Language): Promise<Map<number, RequestLine>>;
  /** The clerk's request page: the kind's facts (old → new, a chart…). */
  clerkDetail(companyId: number, request: WorkflowRequest, lang: Language): Promise<RequestPartial>;
  /** What the customer's timeline and `GET /api/v1/requests/{id}` show of the request: one line and plain data. */
  customerView(request: WorkflowRequest, lang: Language): { summary: string; details: Record<string, unknown> };
  /** The notification switch that governs this kind's decision e-mails (the customer may turn it off). */
  decisionTopic: NotificationTopic;
  /** What the customer's e-mail says when a request of this kind is approved, rejected (the template adds the reason) or applied. */
  decisionEmail(companyId: number, request: WorkflowRequest, outcome: DecisionOutcome, lang: Language): Promise<DecisionEmail>;
}

export type PortalRequestKind = RequestKind & RequestPresentation;

/** The kind's effects plus approval's own: the decision e-mail job on every decided state. */
function withDecisionEmails(effects: RequestKind['effects']): RequestKind['effects'] {
  const all = { ...effects };
  for (const outcome of DECISION_OUTCOMES) {
    const jobs = all[outcome] ?? [];
    all[outcome] = jobs.includes(JOBS.requestDecided) ? jobs : [...jobs, JOBS.requestDecided];
  }
  return all;
}

/**
 * The request kinds of this installation: each kind's module registers its kind here
 * once (usually in onModuleInit); this registers the machine part on the engine, with
 * the decision e-mail job (RequestDecidedProcessor) added to every kind's decided states.
 */
@Injectable()
export class RequestKinds {
  private readonly kinds = new Map<string, PortalRequestKind>();

  constructor(private readonly engine: WorkflowEngine) {}

  register(registered: PortalRequestKind): void {
    const kind = { ...registered, effects: withDecisionEmails(registered.effects) };
    this.engine.register(kind);
    this.kinds.set(kind.kind, kind);
  }

  get(name: string): PortalRequestKind {
    const kind = this.kinds.get(name);
    if (!kind) throw new Error(`Unknown request kind ${name}`);
    return kind;
  }

  has(name: string): boolean {
    return this.kinds.has(name);
  }

  /** Every registered kind's name, in registration order. */
  names(): string[] {
    return [...this.kinds.keys()];
  }
}
