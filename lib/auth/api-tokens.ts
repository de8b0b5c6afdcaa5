import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * API tokens: random, shown once, stored only as their SHA-256 (a token has 256 bits of entropy,
 * so a fast hash is enough: there is nothing to brute-force, unlike a password).
 */
export const TOKEN_PREFIX = 'sq_';

export function newApiToken(): string {
  return `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
}

export function hashApiToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

const HASH = /^[0-9a-f]{64}$/;

export function isTokenHash(value: string): boolean {
  return HASH.test(value);
}

/** Splits a stored list (comma, space or newline separated) into valid hashes; anything else is dropped. */
export function parseTokenHashes(value: string): string[] {
  return value
    .split(/[\s,]+/)
    .map((hash) => hash.trim().toLowerCase())
    .filter(isTokenHash);
}

/**
 * True when `token` hashes to one of `hashes`. Every stored hash is compared, each in constant time,
 * so the answer's timing says nothing about which hash or how much of it matched.
 */
export function tokenMatches(token: string, hashes: readonly string[]): boolean {
  const presented = Buffer.from(hashApiToken(token), 'hex');
  let match = false;
  for (const hash of hashes) {
    const stored = Buffer.from(hash, 'hex');
    if (stored.length === presented.length && timingSafeEqual(stored, presented)) match = true;
  }
  return match;
}
