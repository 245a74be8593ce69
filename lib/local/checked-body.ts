import type { Body } from './wire';

/*
 * Readers of members whose JSON type the operation's input shape already checked (see
 * schema.ts): they only take the value out with its TypeScript type. Every service of the
 * endpoint reads its bodies with these.
 */

/** A string member, or undefined when absent. */
export function text(body: Body, name: string): string | undefined {
  const value = body[name];
  return typeof value === 'string' ? value : undefined;
}

/** An integer member, or undefined when absent. */
export function integer(body: Body, name: string): number | undefined {
  const value = body[name];
  return typeof value === 'number' ? value : undefined;
}

/** A boolean member, or undefined when absent. */
export function flag(body: Body, name: string): boolean | undefined {
  const value = body[name];
  return typeof value === 'boolean' ? value : undefined;
}

/** A list-of-strings member, or undefined when absent. */
export function textList(body: Body, name: string): string[] | undefined {
  const value = body[name];
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : undefined;
}

/** A map of strings, copied; absent is empty. */
export function textMap(body: Body, name: string): Record<string, string> {
  const value = body[name];
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? { ...(value as Record<string, string>) }
    : {};
}
