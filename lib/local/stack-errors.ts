/**
 * A reason the local stack cannot start, said in one line a person can act on. The start script
 * prints the message alone, never a stack trace.
 */
export class StackError extends Error {
  override name = 'StackError';
}
