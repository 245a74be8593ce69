import type { AuditEntry, AuditEvent } from './audit-event';
import { canonicalJson, jsonString } from './canonical-json';

function text(value: string | null): string {
  return value === null ? 'null' : jsonString(value);
}

/** A number as JSON.stringify writes it (finite numbers as String does; the rest as null). */
function numberText(value: number): string {
  return Number.isFinite(value) ? `${value}` : 'null';
}

/** One field's last string and its JSON text. */
class QuotedField {
  #raw: string | null = null;
  #text = 'null';

  of(value: string | null): string {
    if (value !== this.#raw) {
      this.#raw = value;
      this.#text = text(value);
    }
    return this.#text;
  }
}

/** The text of the fields before `prev` (action … ip_address) for the last values seen. */
interface HeadRun {
  readonly action: string | null;
  readonly cacheHit: boolean;
  readonly environment: string | null;
  readonly eventType: string;
  readonly ipAddress: string | null;
  readonly text: string;
}

/** The text of the fields after `seq` (service … version_id) for the last values seen. */
interface TailRun {
  readonly service: string | null;
  readonly success: boolean;
  readonly timestamp: string;
  readonly userAgent: string | null;
  readonly userEmail: string | null;
  readonly userId: string | null;
  readonly versionId: string | null;
  readonly text: string;
}

/**
 * `canonicalEventJson` for a stream of events, which repeat most of their fields from one
 * event to the next (the principal, the secret, the version, the time within a
 * millisecond). The fields before `prev` and those after `seq` are kept as text while their
 * values repeat (compared value by value, never by object, so nothing changed in place is
 * missed; `details` only while it is null), so an event costs the quoting of its new
 * values (`prev`, `request_id`) and a dozen joins; and each field's last string is kept
 * with its JSON text, so a repeated string is never scanned again. The same text as
 * `canonicalEventJson`, event for event; the tests hold it to that.
 * @example
 * const writer = new CanonicalEventWriter();
 * writer.line(event) === canonicalEventJson(event); // true
 */
export class CanonicalEventWriter {
  readonly #action = new QuotedField();
  readonly #environment = new QuotedField();
  readonly #eventType = new QuotedField();
  readonly #ipAddress = new QuotedField();
  readonly #reason = new QuotedField();
  readonly #secretName = new QuotedField();
  readonly #service = new QuotedField();
  readonly #timestamp = new QuotedField();
  readonly #userAgent = new QuotedField();
  readonly #userEmail = new QuotedField();
  readonly #userId = new QuotedField();
  readonly #versionId = new QuotedField();
  #head: HeadRun | undefined;
  #tail: TailRun | undefined;

  line(event: AuditEvent): string {
    return this.entryLine(event, event.seq, event.prev);
  }

  /**
   * The line of `entry` placed at `seq` after `prev`: the same text as `line` of the event
   * with those chain fields, without building that event. Fields beyond the format are left out.
   */
  entryLine(entry: AuditEntry, seq: number, prev: string): string {
    return (
      `${this.#headText(entry)},"prev":${text(prev)},"reason":${this.#reason.of(entry.reason)}` +
      `,"request_id":${text(entry.request_id)},"secret_name":${this.#secretName.of(entry.secret_name)}` +
      `,"seq":${numberText(seq)}${this.#tailText(entry)}`
    );
  }

  #headText(event: AuditEntry): string {
    const head = this.#head;
    if (
      event.details === null &&
      head !== undefined &&
      event.action === head.action &&
      event.cache_hit === head.cacheHit &&
      event.environment === head.environment &&
      event.event_type === head.eventType &&
      event.ip_address === head.ipAddress
    )
      return head.text;
    const built =
      `{"action":${this.#action.of(event.action)},"cache_hit":${event.cache_hit}` +
      `,"details":${canonicalJson(event.details)},"environment":${this.#environment.of(event.environment)}` +
      `,"event_type":${this.#eventType.of(event.event_type)},"ip_address":${this.#ipAddress.of(event.ip_address)}`;
    // Details are an object the caller may change in place: their text is never kept.
    if (event.details === null) {
      this.#head = {
        action: event.action,
        cacheHit: event.cache_hit,
        environment: event.environment,
        eventType: event.event_type,
        ipAddress: event.ip_address,
        text: built,
      };
    }
    return built;
  }

  #tailText(event: AuditEntry): string {
    const tail = this.#tail;
    if (
      tail !== undefined &&
      event.timestamp === tail.timestamp &&
      event.user_id === tail.userId &&
      event.version_id === tail.versionId &&
      event.service === tail.service &&
      event.success === tail.success &&
      event.user_agent === tail.userAgent &&
      event.user_email === tail.userEmail
    )
      return tail.text;
    const built =
      `,"service":${this.#service.of(event.service)},"success":${event.success}` +
      `,"timestamp":${this.#timestamp.of(event.timestamp)},"user_agent":${this.#userAgent.of(event.user_agent)}` +
      `,"user_email":${this.#userEmail.of(event.user_email)},"user_id":${this.#userId.of(event.user_id)}` +
      `,"version_id":${this.#versionId.of(event.version_id)}}`;
    this.#tail = {
      service: event.service,
      success: event.success,
      timestamp: event.timestamp,
      userAgent: event.user_agent,
      userEmail: event.user_email,
      userId: event.user_id,
      versionId: event.version_id,
      text: built,
    };
    return built;
  }
}
