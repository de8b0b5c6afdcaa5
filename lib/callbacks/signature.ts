import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header a completion callback carries, as Stripe signs its webhooks. */
export const SIGNATURE_HEADER = 'spawn-queue-signature';

/** A receiver should refuse a signature older than this (a replayed request). */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

const hmac = (secret: string, timestamp: number, body: string) =>
  createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');

/** `t=<unix seconds>,v1=<hex of HMAC-SHA256(secret, "<t>.<body>")>` */
export function signCallback(
  secret: string,
  body: string,
  timestamp = Math.floor(Date.now() / 1000),
): string {
  return `t=${timestamp},v1=${hmac(secret, timestamp, body)}`;
}

/**
 * What a receiver does with the header (docs/API.md shows the same in a few lines): the HMAC of the
 * raw body with its timestamp, compared in constant time, and the timestamp within the tolerance.
 */
export function verifyCallback(
  secret: string,
  body: string,
  header: string | undefined,
  { toleranceSeconds = SIGNATURE_TOLERANCE_SECONDS, now = Date.now() } = {},
): boolean {
  const fields = Object.fromEntries(
    (header ?? '').split(',').map((part) => part.split('=', 2) as [string, string | undefined]),
  );
  const timestamp = Number(fields.t);
  if (!Number.isInteger(timestamp) || !fields.v1) return false;
  if (Math.abs(now / 1000 - timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(hmac(secret, timestamp, body), 'hex');
  const given = Buffer.from(fields.v1, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
