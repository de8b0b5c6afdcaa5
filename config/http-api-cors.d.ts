export interface HttpApiCors {
  allowedOrigins: string[];
  allowedHeaders: string[];
  allowedMethods: string[];
  exposedResponseHeaders: string[];
  maxAge: number;
}
/** The HTTP API's CORS configuration from CORS_ORIGINS: `false` (none) unless it names origins. */
export function httpApiCors(env?: Record<string, string | undefined>): HttpApiCors | false;
