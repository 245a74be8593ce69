import { invalidParameter } from './fault';

/** A decoded AWS JSON 1.1 request body. */
export type Body = Readonly<Record<string, unknown>>;

export function requiredString(body: Body, field: string): string {
  const value = body[field];
  if (typeof value !== 'string' || value.length === 0) {
    throw invalidParameter(`You must provide a value for the ${field} parameter.`);
  }
  return value;
}

export function optionalString(body: Body, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalidParameter(`The parameter ${field} must be a string.`);
  return value;
}

export function optionalNumber(body: Body, field: string): number | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw invalidParameter(`The parameter ${field} must be a number.`);
  }
  return value;
}

export function optionalBoolean(body: Body, field: string): boolean | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw invalidParameter(`The parameter ${field} must be a boolean.`);
  return value;
}

export function optionalStringList(body: Body, field: string): string[] | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
    throw invalidParameter(`The parameter ${field} must be a list of strings.`);
  }
  return value as string[];
}

/** Blobs travel base64-encoded in AWS JSON protocols. */
export function optionalBlob(body: Body, field: string): Buffer | undefined {
  const value = optionalString(body, field);
  return value === undefined ? undefined : Buffer.from(value, 'base64');
}

export function optionalRecord(body: Body, field: string): Record<string, string> | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (
    typeof value !== 'object' ||
    Array.isArray(value) ||
    Object.values(value).some((v) => typeof v !== 'string')
  ) {
    throw invalidParameter(`The parameter ${field} must be a map of strings.`);
  }
  return value as Record<string, string>;
}

/** Timestamps travel as epoch seconds (fractional) in AWS JSON protocols. */
export function epochSeconds(ms: number | undefined): number | undefined {
  return ms === undefined ? undefined : ms / 1000;
}
