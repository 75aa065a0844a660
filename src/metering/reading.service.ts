import { Injectable, OnModuleInit } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { SYSTEM_ACTOR } from '../../libs/workflow/request-workflow';
import { Result, fail, ok } from '../../libs/workflow/workflow-errors';
import { WorkflowEngine } from '../../libs/workflow/workflow-engine';
import { Hint, WindowRow, assessReading, daysBetween, findOpenWindow, parseReadingValue, todayInBudapest } from './reading-rules';
import { READING_KIND, ReadingPayload, meterSubject, readingRequestKind } from './reading-request.kind';

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

interface MeterRow {
  id: string;
  decimals: number;
}

/**
 * The customer's meter reading: rules in the service, the arithmetic in
 * reading-rules.ts. `check` is what the form shows before sending (implied
 * consumption, warnings); `submit` checks again and creates the request.
 */
@Injectable()
export class ReadingService implements OnModuleInit {
  constructor(
    private readonly dataSource: DataSource,
    private readonly engine: WorkflowEngine,
  ) {}

  onModuleInit(): void {
    this.engine.register(readingRequestKind);
  }

  check(
    customerId: number,
    companyId: number,
    input: ReadingInput,
    today = todayInBudapest(),
  ): Promise<Result<ReadingCheck, ReadingError>> {
    return this.dataSource.transaction((manager) => this.evaluate(manager, customerId, companyId, input, today, false));
  }

  /**
   * One transaction, serialised per meter (row lock), so two submissions at once
   * cannot both become "the" pending reading of the window. A second submission
   * while the first is still unreviewed withdraws the first (system transition,
   * history kept); once a clerk has it or decided it, a new one is refused.
   * After a rejection the customer may report again.
   */
  submit(
    customerId: number,
    companyId: number,
    input: ReadingInput,
    today = todayInBudapest(),
  ): Promise<Result<SubmittedReading, ReadingError>> {
    return this.dataSource.transaction(async (manager) => {
      const checked = await this.evaluate(manager, customerId, companyId, input, today, true);
      if (!checked.ok) return checked;
      const reading = checked.value;
      const pending: Array<{ id: string; state: string; version: number }> = await manager.query(
        `SELECT id, state, version FROM requests
          WHERE company_id = $1 AND customer_id = $2 AND kind = $3 AND subject_ref = $4
            AND payload->>'windowId' = $5 AND state NOT IN ('withdrawn', 'rejected')
          ORDER BY id DESC LIMIT 1`,
        [companyId, customerId, READING_KIND, meterSubject(reading.meterId), String(reading.windowId)],
      );
      let replacedRequestId: number | null = null;
      if (pending[0]) {
        const previous = pending[0];
        if (previous.state !== 'submitted') {
          return fail({
            code: 'already_reported',
            requestId: Number(previous.id),
            state: previous.state,
            message:
              previous.state === 'in_review'
                ? 'A reading for this period is already being checked by our staff; it can no longer be replaced'
                : 'A reading for this period has already been accepted',
          });
        }
        const withdrawn = await this.engine.send(manager, {
          companyId,
          requestId: Number(previous.id),
          event: 'WITHDRAW',
          actor: SYSTEM_ACTOR,
          expectedVersion: previous.version,
          comment: 'replaced by a newer reading of the customer',
        });
        if (!withdrawn.ok) throw new Error(`Could not withdraw reading request ${previous.id}: ${withdrawn.error.message}`);
        replacedRequestId = Number(previous.id);
      }
      const payload: ReadingPayload = {
        meterId: reading.meterId,
        value: reading.value,
        readOn: reading.readOn,
        replacement: input.replacement === true,
        windowId: reading.windowId,
        hints: reading.hints,
        consumption: reading.consumption,
      };
      const created = await this.engine.submit(manager, {
        companyId,
        customerId,
        kind: READING_KIND,
        subjectRef: meterSubject(reading.meterId),
        payload,
        flagged: reading.flagged,
        actor: { kind: 'customer', id: customerId },
      });
      return ok({ ...reading, requestId: created.requestId, version: created.version, replacedRequestId });
    });
  }

  private async evaluate(
    manager: EntityManager,
    customerId: number,
    companyId: number,
    input: ReadingInput,
    today: string,
    lock: boolean,
  ): Promise<Result<ReadingCheck, ReadingError>> {
    const notFound = fail<ReadingError>({ code: 'meter_not_found', message: 'No such meter among your service points' });
    if (!Number.isSafeInteger(input.meterId) || input.meterId <= 0) return notFound;
    const meters: MeterRow[] = await manager.query(
      `SELECT m.id, m.decimals FROM meters m
         JOIN service_points sp ON sp.company_id = m.company_id AND sp.id = m.service_point_id
        WHERE m.company_id = $1 AND m.id = $2 AND sp.customer_id = $3 ${lock ? 'FOR UPDATE OF m' : ''}`,
      [companyId, input.meterId, customerId],
    );
    const meter = meters[0];
    if (!meter) return notFound;

    const windows: Array<{ id: string; meter_id: string | null; opens_on: string; closes_on: string }> = await manager.query(
      `SELECT id, meter_id, opens_on, closes_on FROM reading_windows
        WHERE company_id = $1 AND (meter_id IS NULL OR meter_id = $2) AND closes_on >= $3::date`,
      [companyId, input.meterId, today],
    );
    const lookup = findOpenWindow(
      windows.map((w): WindowRow => ({
        id: Number(w.id),
        meterId: w.meter_id === null ? null : Number(w.meter_id),
        opensOn: w.opens_on,
        closesOn: w.closes_on,
      })),
      today,
    );
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

    const history: Array<{ read_on: string; value: string }> = await manager.query(
      `SELECT read_on, value FROM readings WHERE company_id = $1 AND meter_id = $2 AND billable ORDER BY read_on, id`,
      [companyId, input.meterId],
    );
    const billable = history.map((r) => ({ readOn: r.read_on, value: Number(r.value) }));
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
    });
  }
}
