import { BundleAuthenticationError } from './bundle-error';

const NEWLINE = 0x0a;

/** A writer ends every record with a newline and keeps it within the bound. */
function malformed(problem: string): BundleAuthenticationError {
  return new BundleAuthenticationError('altered', `The bundle fails authentication: ${problem}.`);
}

/**
 * The lines of a byte stream (without their newline), each as its exact bytes. Holds at most
 * one line and one chunk: a line over `maxBytes` fails as soon as it gets that long, so a
 * stream with no newline never fills memory. Every line must end in a newline.
 */
export async function* lines(chunks: AsyncIterable<Uint8Array>, maxBytes: number): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  for await (const chunk of chunks) {
    let buffer = Buffer.isBuffer(chunk)
      ? chunk
      : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let newline = buffer.indexOf(NEWLINE);
    while (newline !== -1) {
      if (pendingBytes + newline > maxBytes) throw malformed(`a record is longer than ${maxBytes} bytes`);
      const head = buffer.subarray(0, newline);
      yield pending.length === 0 ? Buffer.from(head) : Buffer.concat([...pending, head]);
      pending = [];
      pendingBytes = 0;
      buffer = buffer.subarray(newline + 1);
      newline = buffer.indexOf(NEWLINE);
    }
    if (buffer.length > 0) {
      pendingBytes += buffer.length;
      if (pendingBytes > maxBytes) throw malformed(`a record is longer than ${maxBytes} bytes`);
      pending.push(Buffer.from(buffer));
    }
  }
  if (pendingBytes > 0) throw malformed('its last record has no newline');
}

/**
 * The first line of a byte stream (newline included) and an iterable of every byte after it,
 * reading no further than the line needs. Undefined when the stream has no newline within
 * `maxBytes`.
 */
export async function firstLine(
  chunks: AsyncIterator<Uint8Array>,
  maxBytes: number,
): Promise<{ readonly line: Buffer; readonly rest: AsyncIterable<Uint8Array> } | undefined> {
  const seen: Buffer[] = [];
  let seenBytes = 0;
  for (;;) {
    const next = await chunks.next();
    if (next.done === true) return undefined;
    const chunk = Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength);
    const newline = chunk.indexOf(NEWLINE);
    if (newline !== -1 && seenBytes + newline + 1 <= maxBytes) {
      const line = Buffer.concat([...seen, chunk.subarray(0, newline + 1)]);
      const tail = chunk.subarray(newline + 1);
      return {
        line,
        rest: (async function* () {
          if (tail.length > 0) yield tail;
          for (;;) {
            const more = await chunks.next();
            if (more.done === true) return;
            yield more.value;
          }
        })(),
      };
    }
    seenBytes += chunk.length;
    if (seenBytes >= maxBytes) return undefined;
    seen.push(chunk);
  }
}
