/** Where UTF-8 text may be cut: never before a continuation byte (10xxxxxx), inside a character. */
const isContinuation = (byte: number | undefined) => byte !== undefined && (byte & 0xc0) === 0x80;

/** The first character boundary of `bytes` at or after `index`. */
export function boundaryAtOrAfter(bytes: Buffer, index: number): number {
  let i = index;
  while (i < bytes.length && isContinuation(bytes[i])) i += 1;
  return i;
}

/** The last character boundary of `bytes` at or before `index`, not below `floor`. */
export function boundaryAtOrBefore(bytes: Buffer, index: number, floor = 0): number {
  let i = Math.min(index, bytes.length);
  while (i > floor && isContinuation(bytes[i])) i -= 1;
  return i;
}
