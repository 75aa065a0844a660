import { Injectable } from '@nestjs/common';
import { RequestKind, WorkflowRequest } from '../../libs/workflow/request-workflow';
import { WorkflowEngine } from '../../libs/workflow/workflow-engine';
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
}

export type PortalRequestKind = RequestKind & RequestPresentation;

/**
 * The request kinds of this installation: each kind's module registers its kind here
 * once (usually in onModuleInit); this registers the machine part on the engine.
 */
@Injectable()
export class RequestKinds {
  private readonly kinds = new Map<string, PortalRequestKind>();

  constructor(private readonly engine: WorkflowEngine) {}

  register(kind: PortalRequestKind): void {
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
