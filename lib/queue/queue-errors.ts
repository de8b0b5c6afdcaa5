/** SQS did not answer, or answered with an error. */
export class QueueUnavailableError extends Error {
  override name = 'QueueUnavailableError';
  constructor(
    message: string,
    readonly queue: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
