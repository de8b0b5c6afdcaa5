import { templateFields } from './render-template';
import type { Input } from './render-template';
import { TaskInputError } from './task-errors';

/**
 * Linux's limit of one argument (MAX_ARG_STRLEN, 32 pages); `spawn` fails with E2BIG beyond it.
 * The null terminator counts.
 */
export const MAX_ARG_BYTES = 128 * 1024 - 1;
/**
 * What the arguments together may take: a quarter of the usual 8 MiB stack limit is ARG_MAX (2 MiB),
 * shared with the environment and the pointers; half of it leaves that room.
 */
export const MAX_COMMAND_LINE_BYTES = 1024 * 1024;

function asText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * Refuses input that the schema allows but a process cannot take, naming the field: a NUL byte in
 * anything that becomes an argument (the kernel ends a C string there; Node's `spawn` throws), one
 * argument past the kernel's per-argument limit, or arguments past the command line's limit. Stdin
 * takes any byte, so fields that only feed stdin are not checked.
 */
export function checkCommandLine(task: string, templates: readonly string[], input: Input): void {
  let total = 0;
  for (const template of templates) {
    const fields = templateFields(template);
    let bytes = Buffer.byteLength(template);
    for (const field of fields) {
      const value = input[field];
      if (value === undefined || typeof value === 'boolean') continue;
      const text = asText(value);
      if (text.includes('\u0000')) {
        throw new TaskInputError(
          `input.${field} must not contain a NUL character (it is passed as a command-line argument)`,
          task,
          `input.${field}`,
        );
      }
      bytes += Buffer.byteLength(text);
    }
    if (bytes > MAX_ARG_BYTES) {
      const field = fields[0] ? `input.${fields[0]}` : 'input';
      throw new TaskInputError(
        `${field} is too long for a command-line argument (at most ${MAX_ARG_BYTES} bytes)`,
        task,
        field,
      );
    }
    total += bytes + 1;
  }
  if (total > MAX_COMMAND_LINE_BYTES) {
    throw new TaskInputError(
      `input is too large for the command line (at most ${MAX_COMMAND_LINE_BYTES} bytes of arguments)`,
      task,
      'input',
    );
  }
}
