import { Injectable, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { WorkflowRequest } from '../../libs/workflow/request-workflow';
import { DecisionEmail, DecisionOutcome, RequestKinds, RequestLine, RequestPartial, RequestPresentation } from '../approval/request-kind';
import { formatDate } from '../web/format';
import { Language, translate } from '../web/i18n';
import { hintExplanation, isKnownHint } from './hint-explanation';
import { HistoryRow, MeterHistory } from './meter-history.service';
import { READING_KIND, ReadingPayload, StoredHint, readingRequestKind } from './reading-request.kind';

export const UNIT_LABELS: Record<string, string> = { m3: 'm³', kWh: 'kWh', GJ: 'GJ' };

/** Readings shown the Hungarian way: decimal comma. */
export const formatReading = (value: number | string): string => String(value).replace('.', ',');

interface MeterFacts {
  id: number;
  serialNumber: string;
  unit: string;
}

/** How many billable readings the clerk's request page lists under the chart. */
const HISTORY_ROWS = 12;

/**
 * The meter reading as approval shows and decides it: the queue line (meter and
 * value), the plausibility hints with their numbers in the clerk's language, the
 * clerk's page part (value, consumption, chart, billable history) and the
 * customer's view. Registers the `meter_reading` kind. Unflagged readings may be
 * approved in bulk.
 */
@Injectable()
export class ReadingReview implements RequestPresentation, OnModuleInit {
  readonly labelKey = 'metering.review.kind';
  readonly bulkApprovable = true;
  readonly decisionTopic = 'reading_recorded';

  constructor(
    private readonly dataSource: DataSource,
    private readonly kinds: RequestKinds,
    private readonly meterHistory: MeterHistory,
  ) {}

  onModuleInit(): void {
    this.kinds.register({
      ...readingRequestKind,
      labelKey: this.labelKey,
      bulkApprovable: this.bulkApprovable,
      lines: (companyId, requests, lang) => this.lines(companyId, requests, lang),
      clerkDetail: (companyId, request, lang) => this.clerkDetail(companyId, request, lang),
      customerView: (request, lang) => this.customerView(request, lang),
      decisionTopic: this.decisionTopic,
      decisionEmail: (companyId, request, outcome, lang) => this.decisionEmail(companyId, request, outcome, lang),
    });
  }

  async lines(companyId: number, requests: readonly WorkflowRequest[], lang: Language): Promise<Map<number, RequestLine>> {
    const meters = await this.meters(
      companyId,
      requests.map((r) => (r.payload as ReadingPayload).meterId),
    );
    return new Map(
      requests.map((request) => [request.id, this.line(request, meters.get((request.payload as ReadingPayload).meterId), lang)]),
    );
  }

  async clerkDetail(companyId: number, request: WorkflowRequest, lang: Language): Promise<RequestPartial> {
    const payload = request.payload as ReadingPayload;
    const meter = (await this.meters(companyId, [payload.meterId])).get(payload.meterId);
    const history = meter ? await this.meterHistory.forCompany(companyId, meter.id) : [];
    const unit = meter ? (UNIT_LABELS[meter.unit] ?? meter.unit) : '';
    return {
      partial: 'metering/reading-request',
      model: {
        meterSerial: meter?.serialNumber ?? '–',
        value: `${formatReading(payload.value)} ${unit}`.trim(),
        readOn: typeof payload.readOn === 'string' ? payload.readOn : null,
        consumption: typeof payload.consumption === 'number' ? `${formatReading(payload.consumption)} ${unit}`.trim() : null,
        replacement: payload.replacement === true,
        chartSrc: meter ? `/backoffice/requests/${request.id}/chart.svg` : null,
        unit,
        history: history.slice(0, HISTORY_ROWS).map((h) => ({
          readOn: h.readOn,
          value: formatReading(h.value),
          consumption: h.consumption === null ? null : formatReading(h.consumption),
          kind: translate(lang, `metering.review.readingKind.${h.kind}`),
        })),
      },
    };
  }

  customerView(request: WorkflowRequest, lang: Language) {
    const payload = request.payload as ReadingPayload;
    return {
      summary: translate(lang, 'metering.request.summary', { value: formatReading(payload.value) }),
      details: { meterId: payload.meterId, value: payload.value, readOn: payload.readOn ?? null },
    };
  }

  async decisionEmail(companyId: number, request: WorkflowRequest, outcome: DecisionOutcome, lang: Language): Promise<DecisionEmail> {
    const payload = request.payload as ReadingPayload;
    const meter = (await this.meters(companyId, [payload.meterId])).get(payload.meterId);
    const value = lang === 'hu' ? formatReading(payload.value) : String(payload.value);
    return {
      subject: translate(lang, `metering.decision.subject.${outcome}`),
      summary: translate(lang, 'metering.decision.summary', {
        serial: meter?.serialNumber ?? '–',
        readOn: formatDate(payload.readOn),
        value: `${value} ${meter ? (UNIT_LABELS[meter.unit] ?? meter.unit) : ''}`.trim(),
      }),
      link: { path: '/readings', label: translate(lang, 'metering.decision.link') },
    };
  }

  /**
   * What the consumption chart of a reading request needs: the meter's unit and its
   * billable history. Null when the request is not the company's or not a reading.
   */
  async chart(companyId: number, requestId: number): Promise<{ unit: string; history: HistoryRow[] } | null> {
    if (!Number.isSafeInteger(requestId) || requestId <= 0) return null;
    const [meter]: Array<{ id: string; unit: string }> = await this.dataSource.query(
      `SELECT m.id, m.unit FROM requests r
         JOIN meters m ON m.company_id = r.company_id AND m.id = (r.payload->>'meterId')::bigint
        WHERE r.company_id = $1 AND r.id = $2 AND r.kind = $3`,
      [companyId, requestId, READING_KIND],
    );
    if (!meter) return null;
    return { unit: meter.unit, history: await this.meterHistory.forCompany(companyId, Number(meter.id)) };
  }

  private line(request: WorkflowRequest, meter: MeterFacts | undefined, lang: Language): RequestLine {
    const payload = request.payload as ReadingPayload;
    const unit = meter ? (UNIT_LABELS[meter.unit] ?? meter.unit) : '';
    const hints: StoredHint[] = Array.isArray(payload.hints) ? payload.hints : [];
    return {
      summary: translate(lang, 'metering.review.summary', {
        serial: meter?.serialNumber ?? '–',
        value: `${formatReading(payload.value)} ${unit}`.trim(),
      }),
      hints: hints.map((hint) => ({
        label: isKnownHint(hint.code) ? translate(lang, `metering.review.hint.${hint.code}`) : hint.code,
        explanation: hintExplanation(lang, hint, unit) || null,
      })),
      details: {
        meter: meter ? { id: meter.id, serialNumber: meter.serialNumber, unit: meter.unit } : null,
        value: payload.value,
        readOn: payload.readOn ?? null,
        consumption: typeof payload.consumption === 'number' ? payload.consumption : null,
        replacement: payload.replacement === true,
      },
      hintData: hints,
    };
  }

  private async meters(companyId: number, meterIds: readonly number[]): Promise<Map<number, MeterFacts>> {
    const ids = [...new Set(meterIds.filter((id) => Number.isSafeInteger(id)))];
    if (ids.length === 0) return new Map();
    const rows: Array<{ id: string; serial_number: string; unit: string }> = await this.dataSource.query(
      `SELECT id, serial_number, unit FROM meters WHERE company_id = $1 AND id = ANY($2::bigint[])`,
      [companyId, ids],
    );
    return new Map(rows.map((r) => [Number(r.id), { id: Number(r.id), serialNumber: r.serial_number, unit: r.unit }]));
  }
}
