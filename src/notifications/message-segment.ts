/** What a service type is, by the meters at a service point (metering's meter types). */
export const SEGMENT_SERVICE_TYPES = ['heat', 'hot_water', 'cold_water', 'gas'] as const;
export type SegmentServiceType = (typeof SEGMENT_SERVICE_TYPES)[number];

/**
 * Which of a company's customers a message to many reaches; the filters combine (AND),
 * and none means every customer. Town and service type are about one service point:
 * "gas in Szentes" is a customer with a gas meter at a service point in Szentes.
 */
export interface MessageSegment {
  /** A service point's town, compared case-insensitively. */
  town?: string;
  serviceType?: SegmentServiceType;
  /** Customers with an unpaid invoice past its due date (on the day of sending). */
  overdue?: boolean;
}

export function isSegmentServiceType(value: unknown): value is SegmentServiceType {
  return typeof value === 'string' && (SEGMENT_SERVICE_TYPES as readonly string[]).includes(value);
}

/** The segment with blank filters left out and the town trimmed; stored as the message's `segment`. */
export function normalizeSegment(input: { town?: string | null; serviceType?: string | null; overdue?: boolean | null }): MessageSegment {
  const segment: MessageSegment = {};
  const town = input.town?.trim();
  if (town) segment.town = town;
  if (isSegmentServiceType(input.serviceType)) segment.serviceType = input.serviceType;
  if (input.overdue === true) segment.overdue = true;
  return segment;
}

export interface SegmentQuery {
  /** Conditions on `customers c` (already scoped to the company by the caller), joined with AND; `true` for everyone. */
  where: string;
  params: unknown[];
}

/**
 * The segment as SQL over `customers c`, with its values as parameters numbered from
 * `firstParam` (never spliced into the text); `today` (YYYY-MM-DD, Budapest) decides
 * what is overdue.
 */
export function segmentCondition(segment: MessageSegment, firstParam: number, today: string): SegmentQuery {
  const conditions: string[] = [];
  const params: unknown[] = [];
  const next = (value: unknown): string => {
    params.push(value);
    return `$${firstParam + params.length - 1}`;
  };
  if (segment.town !== undefined || segment.serviceType !== undefined) {
    const atPoint: string[] = [];
    if (segment.town !== undefined) atPoint.push(`lower(sp.town) = lower(${next(segment.town)})`);
    if (segment.serviceType !== undefined) {
      atPoint.push(
        `EXISTS (SELECT 1 FROM meters m WHERE m.company_id = sp.company_id AND m.service_point_id = sp.id AND m.type = ${next(segment.serviceType)})`,
      );
    }
    conditions.push(
      `EXISTS (SELECT 1 FROM service_points sp WHERE sp.company_id = c.company_id AND sp.customer_id = c.id AND ${atPoint.join(' AND ')})`,
    );
  }
  if (segment.overdue) {
    conditions.push(
      `EXISTS (SELECT 1 FROM invoices i WHERE i.company_id = c.company_id AND i.customer_id = c.id AND i.open_amount > 0 AND i.due_on < ${next(today)}::date)`,
    );
  }
  return { where: conditions.length > 0 ? conditions.join(' AND ') : 'true', params };
}
