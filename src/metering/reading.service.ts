import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { preparedQuery } from '../../libs/typeorm/prepared-query';
import { todayInHungary } from '../web/format';
import { SYSTEM_ACTOR } from '../../libs/workflow/request-workflow';
import { LiveRequestConflict, Result, fail, ok } from '../../libs/workflow/workflow-errors';
import { SubmitInput, WorkflowEngine } from '../../libs/workflow/workflow-engine';
import { BillableReading, Hint, WindowRow, assessReading, daysBetween, findOpenWindow, parseReadingValue } from './reading-rules';
import { READING_KIND, ReadingPayload, meterSubject } from './reading-request.kind';

export interface ReadingInput {
  meterId: number;
  /** A decimal as text ('1234,5' or '1234.5'). */
  value: string;
  /** 'YYYY-MM-DD'; today when left out. */
  readOn?: string;
  /** The customer marks a meter replacement or rollover: the value may be below the last one. */
  replacement?: boolean;
}

export type ReadingError =
  | { code: 'meter_not_found'; message: string }
  | { code: 'window_closed'; nextOpensOn: string | null; message: string }
  | { code: 'invalid_value'; message: string }
  | { code: 'invalid_date'; message: string }
  | { code: 'below_last'; lastValue: number; lastReadOn: string; message: string }
  | { code: 'already_reported'; requestId: number; state: string; message: string };

export interface ReadingCheck {
  meterId: number;
  value: string;
  readOn: string;
  windowId: number;
  consumption: number | null;
  usualDaily: number | null;
  hints: Hint[];
  flagged: boolean;
}

export interface SubmittedReading extends ReadingCheck {
  requestId: number;
  version: number;
  /** The earlier unreviewed reading of this window this one replaced (withdrawn by the system). */
  replacedRequestId: number | null;
}

interface PendingRequest {
  id: number;
  state: string;
  version: number;
  windowId: number;
}

/** One row of the evaluate query; json_build_object gives numbers and 'YYYY-MM-DD' dates. */
interface MeterContext {
  decimals: number;
  windows: WindowRow[];
  history: BillableReading[];
  /** Requests of still-open windows that are neither withdrawn nor rejected, newest first. */
  live: PendingRequest[];
}

/** A submission that lost a race reads again; a double click or two tabs need one more try, a few more is plenty. */
const MAX_SUBMIT_ATTEMPTS = 5;

/** The earlier reading changed between our read and its withdrawal. */
class ReplacedMeanwhile extends Error {}

/**
 * The customer's meter reading: rules in the service, the arithmetic in
 * reading-rules.ts. `check` is what the form shows before sending (implied
 * consumption, warnings); `submit` checks again and creates the request.
 */
@Injectable()
export class ReadingService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly engine: WorkflowEngine,
  ) {}

  async check(
    companyId: number,
    customerId: number,
    input: ReadingInput,
    today = todayInHungary(),
  ): Promise<Result<ReadingCheck, ReadingError>> {
    const checked = await this.evaluate(companyId, customerId, input, today);
    if (!checked.ok) return checked;
    const { pending: _pending, ...reading } = checked.value;
    return ok(reading);
  }

  /**
   * At most one live reading per meter and window: requests_live_key refuses a second
   * one, so two submissions at once cannot both become "the" reading of the window;
   * the loser reads again and acts on what it finds. A new submission while the
   * earlier one is still unreviewed withdraws it (system transition, history kept)
   * in the same transaction; once a clerk has it or decided it, a new one is
   * refused. After a rejection the customer may report again.
   *
   * The usual case, no earlier reading, costs two statements and no explicit
   * transaction: the read of everything the rules need, and the insert.
   */
  async submit(
    companyId: number,
    customerId: number,
    input: ReadingInput,
    today = todayInHungary(),
  ): Promise<Result<SubmittedReading, ReadingError>> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.trySubmit(companyId, customerId, input, today);
      } catch (error) {
        if (!(error instanceof LiveRequestConflict || error instanceof ReplacedMeanwhile) || attempt === MAX_SUBMIT_ATTEMPTS) throw error;
      }
    }
  }

  private async trySubmit(
    companyId: number,
    customerId: number,
    input: ReadingInput,
    today: string,
  ): Promise<Result<SubmittedReading, ReadingError>> {
    const checked = await this.evaluate(companyId, customerId, input, today);
    if (!checked.ok) return checked;
    const { pending, ...reading } = checked.value;
    if (pending && pending.state !== 'submitted') {
      return fail({
        code: 'already_reported',
        requestId: pending.id,
        state: pending.state,
        message:
          pending.state === 'in_review'
            ? 'A reading for this period is already being checked by our staff; it can no longer be replaced'
            : 'A reading for this period has already been accepted',
      });
    }
    const request: SubmitInput = {
      companyId,
      customerId,
      kind: READING_KIND,
      payload: {
        meterId: reading.meterId,
        value: reading.value,
        readOn: reading.readOn,
        replacement: input.replacement === true,
        windowId: reading.windowId,
        hints: reading.hints,
        consumption: reading.consumption,
      } satisfies ReadingPayload,
      flagged: reading.flagged,
      actor: { kind: 'customer', id: customerId },
    };
    if (!pending) {
      const created = await this.engine.submit(this.dataSource.manager, request);
      return ok({ ...reading, requestId: created.requestId, version: created.version, replacedRequestId: null });
    }
    return this.dataSource.transaction(async (manager) => {
      const withdrawn = await this.engine.send(manager, {
        companyId,
        requestId: pending.id,
        event: 'WITHDRAW',
        actor: SYSTEM_ACTOR,
        expectedVersion: pending.version,
        comment: 'replaced by a newer reading of the customer',
      });
      // A clerk claimed it, or another submission replaced it, since we read it.
      if (!withdrawn.ok) throw new ReplacedMeanwhile();
      const created = await this.engine.submit(manager, request);
      return ok({ ...reading, requestId: created.requestId, version: created.version, replacedRequestId: pending.id });
    });
  }

  /**
   * Everything the rules need comes back in one query (one round trip): the meter,
   * its candidate windows, its billable history and the live requests of still-open
   * windows.
   */
  private async evaluate(
    companyId: number,
    customerId: number,
    input: ReadingInput,
    today: string,
  ): Promise<Result<ReadingCheck & { pending: PendingRequest | null }, ReadingError>> {
    const notFound = fail<ReadingError>({ code: 'meter_not_found', message: 'No such meter among your service points' });
    if (!Number.isSafeInteger(input.meterId) || input.meterId <= 0) return notFound;
    const rows = await preparedQuery<MeterContext>(
      this.dataSource.manager,
      'reading-context',
      `SELECT m.decimals,
              COALESCE((SELECT json_agg(json_build_object('id', w.id, 'meterId', w.meter_id, 'opensOn', w.opens_on, 'closesOn', w.closes_on))
                          FROM reading_windows w
                         WHERE w.company_id = m.company_id AND (w.meter_id IS NULL OR w.meter_id = m.id) AND w.closes_on >= $4::date),
                       '[]') AS windows,
              COALESCE((SELECT json_agg(json_build_object('readOn', r.read_on, 'value', r.value) ORDER BY r.read_on, r.id)
                          FROM readings r
                         WHERE r.company_id = m.company_id AND r.meter_id = m.id AND r.billable),
                       '[]') AS history,
              COALESCE((SELECT json_agg(json_build_object('id', q.id, 'state', q.state, 'version', q.version,
                                                          'windowId', (q.payload->>'windowId')::bigint) ORDER BY q.id DESC)
                 FROM requests q
                 JOIN reading_windows w ON w.company_id = q.company_id AND w.id = (q.payload->>'windowId')::bigint
                WHERE q.company_id = m.company_id AND q.customer_id = sp.customer_id AND q.kind = $5 AND q.subject_ref = $6
                  AND q.state NOT IN ('withdrawn', 'rejected') AND w.closes_on >= $4::date),
                       '[]') AS live
         FROM meters m
         JOIN service_points sp ON sp.company_id = m.company_id AND sp.id = m.service_point_id
        WHERE m.company_id = $1 AND m.id = $2 AND sp.customer_id = $3`,
      [companyId, input.meterId, customerId, today, READING_KIND, meterSubject(input.meterId)],
    );
    const meter = rows[0];
    if (!meter) return notFound;

    const lookup = findOpenWindow(meter.windows, today);
    if (!lookup.open) {
      return fail({
        code: 'window_closed',
        nextOpensOn: lookup.nextOpensOn,
        message: lookup.nextOpensOn
          ? `Readings can be reported from ${lookup.nextOpensOn.replaceAll('-', '.')}`
          : 'No reading period is scheduled for this meter yet',
      });
    }
    const window = lookup.open;

    const parsed = parseReadingValue(String(input.value ?? ''), meter.decimals);
    if (!parsed.ok) return fail({ code: 'invalid_value', message: parsed.message });
    const readOn = input.readOn ?? today;
    if (!/^\d{4}-\d\d-\d\d$/.test(readOn) || Number.isNaN(Date.parse(readOn))) {
      return fail({ code: 'invalid_date', message: 'The reading date must be a date' });
    }
    if (readOn > today || readOn < window.opensOn) {
      return fail({ code: 'invalid_date', message: 'The reading date must fall in the open reading period, and not in the future' });
    }

    const billable = meter.history;
    const last = billable.at(-1);
    if (last && daysBetween(last.readOn, readOn) < 0) {
      return fail({
        code: 'invalid_date',
        message: `The reading date is before the last billable reading (${last.readOn.replaceAll('-', '.')})`,
      });
    }
    if (last && parsed.value < last.value && input.replacement !== true) {
      return fail({
        code: 'below_last',
        lastValue: last.value,
        lastReadOn: last.readOn,
        message: `The reading is below the last billable one (${last.value} on ${last.readOn.replaceAll('-', '.')}); mark it if the meter was replaced`,
      });
    }
    const assessment = assessReading({ value: parsed.value, readOn, replacement: input.replacement === true, history: billable });
    return ok({
      meterId: input.meterId,
      value: parsed.text,
      readOn,
      windowId: window.id,
      consumption: assessment.consumption,
      usualDaily: assessment.usualDaily,
      hints: assessment.hints,
      flagged: assessment.hints.length > 0,
      // Only a request of the window being reported counts: an older window's is history.
      pending: meter.live.find((request) => request.windowId === window.id) ?? null,
    });
  }
}
