/** A setting from the environment is missing or has a value the project cannot use. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(
    message: string,
    readonly variable?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
