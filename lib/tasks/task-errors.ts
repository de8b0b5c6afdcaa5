/** The task catalogue has an entry the project cannot run. */
export class CatalogueError extends Error {
  override name = 'CatalogueError';
  constructor(
    message: string,
    readonly task: string,
    readonly field: string,
    options?: ErrorOptions,
  ) {
    super(`task "${task}": ${field} ${message}`, options);
  }
}

/** A job's input does not match its task's schema. */
export class TaskInputError extends Error {
  override name = 'TaskInputError';
  constructor(
    message: string,
    readonly task: string,
    readonly field: string,
  ) {
    super(message);
  }
}

export class UnknownTaskError extends Error {
  override name = 'UnknownTaskError';
  constructor(readonly task: string) {
    super(`unknown task "${task.slice(0, 100)}"`);
  }
}

/** The task exists, but its command is not on this runtime (e.g. a tool the Lambda image lacks). */
export class TaskUnavailableError extends Error {
  override name = 'TaskUnavailableError';
  constructor(
    readonly task: string,
    readonly reason: string,
  ) {
    super(`task "${task}" is not available here: ${reason}`);
  }
}

/** Errors that fail the job itself (retrying cannot help), not the delivery. */
export function isTaskRefusal(
  error: unknown,
): error is UnknownTaskError | TaskInputError | TaskUnavailableError {
  return (
    error instanceof UnknownTaskError ||
    error instanceof TaskInputError ||
    error instanceof TaskUnavailableError
  );
}
