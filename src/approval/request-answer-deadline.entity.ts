import { Check, Column, Entity, ForeignKey, PrimaryColumn } from 'typeorm';

// Another module's entities are named, not imported, in foreign keys: a link in the schema, not a code dependency.
/**
 * A company's own answer deadline for a request kind, in days from submission. Without
 * a row the kind's default applies (RequestKind.answerDays). The engine reads it when a
 * request is submitted, so a change applies to new requests only.
 */
@Entity('request_answer_deadlines')
@ForeignKey('Company', ['companyId'], ['id'], { name: 'request_answer_deadlines_company_id_fkey' })
@Check('request_answer_deadlines_kind_check', `kind ~ '^[a-z_]{2,40}$'`)
@Check('request_answer_deadlines_answer_days_check', `answer_days BETWEEN 1 AND 365`)
export class RequestAnswerDeadline {
  @PrimaryColumn({ name: 'company_id', type: 'integer' })
  companyId!: number;

  @PrimaryColumn({ type: 'text' })
  kind!: string;

  @Column({ name: 'answer_days', type: 'integer' })
  answerDays!: number;
}
