/**
 * EventBridge pattern matching for the subset keystage's rules use: arrays of exact values,
 * nested objects, and `$or`. Enough to prove a synthesised pattern matches the events it
 * is meant for, and not others.
 */
type Pattern = { [key: string]: unknown };

export function matches(pattern: Pattern, event: unknown): boolean {
  const value = (event ?? {}) as Record<string, unknown>;
  return Object.entries(pattern).every(([key, expected]) => {
    if (key === '$or') return (expected as Pattern[]).some((alternative) => matches(alternative, value));
    const actual = value[key];
    if (Array.isArray(expected)) {
      const actualValues = Array.isArray(actual) ? actual : [actual];
      return actualValues.some((item) => expected.includes(item));
    }
    return typeof expected === 'object' && expected !== null && matches(expected as Pattern, actual);
  });
}
