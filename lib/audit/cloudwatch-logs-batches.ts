/**
 * PutLogEvents' limits on one request, as AWS documents them for the API: at most 10,000
 * events; at most 1,048,576 bytes, counting each message in UTF-8 plus 26 bytes per event;
 * events in chronological order spanning no more than 24 hours; no event over 1 MB.
 */
export const PUT_LOG_EVENTS_LIMITS = Object.freeze({
  maxEvents: 10_000,
  maxBytes: 1_048_576,
  eventOverheadBytes: 26,
  maxSpanMs: 24 * 60 * 60 * 1000,
});

export type PutLogEventsLimits = typeof PUT_LOG_EVENTS_LIMITS;

/** What the planner needs of an event: its time and its message's size in UTF-8. */
export interface PlannedLogEvent {
  readonly timestamp: number;
  readonly bytes: number;
}

/**
 * Splits events that are already in time order into consecutive PutLogEvents batches, each
 * within the limits: a new batch starts when the next event would pass the count, the byte
 * total, or 24 hours after the batch's first event. The order is kept across batches.
 * @example
 * for (const batch of planLogBatches(events)) await logs.send(new PutLogEventsCommand({ ...stream, logEvents: batch }));
 */
export function planLogBatches<T extends PlannedLogEvent>(
  events: readonly T[],
  limits: PutLogEventsLimits = PUT_LOG_EVENTS_LIMITS,
): T[][] {
  const batches: T[][] = [];
  let batch: T[] = [];
  let bytes = 0;
  for (const event of events) {
    const size = event.bytes + limits.eventOverheadBytes;
    const full =
      batch.length === limits.maxEvents ||
      bytes + size > limits.maxBytes ||
      // "Cannot exceed 24 hours": a span of exactly 24 h is already split, to stay clear of the edge.
      (batch.length > 0 && event.timestamp - batch[0]!.timestamp >= limits.maxSpanMs);
    if (full && batch.length > 0) {
      batches.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(event);
    bytes += size;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}

/**
 * Whether events in time order, `count` of them with `bytes` of messages in UTF-8 in all,
 * the last `spanMs` after the first, go in one PutLogEvents: exactly when
 * {@link planLogBatches} would make one batch of them. The common case, checked without
 * planning.
 * @example
 * if (fitsOneLogBatch(events.length, totalBytes, last - first)) await put(events);
 */
export function fitsOneLogBatch(
  count: number,
  bytes: number,
  spanMs: number,
  limits: PutLogEventsLimits = PUT_LOG_EVENTS_LIMITS,
): boolean {
  return (
    count <= limits.maxEvents &&
    bytes + count * limits.eventOverheadBytes <= limits.maxBytes &&
    spanMs < limits.maxSpanMs
  );
}
