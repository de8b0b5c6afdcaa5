/** The process could not be started at all (missing executable, no memory for a fork, ...). */
export class SpawnError extends Error {
  override name = 'SpawnError';
  constructor(
    message: string,
    readonly executable: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
