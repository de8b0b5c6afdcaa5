import { lookup as dnsLookup } from 'node:dns';
import type { LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import type { LookupFunction } from 'node:net';

/** A callback URL the service will not call: malformed, or (deployed) an address inside a network. */
export class CallbackRefusedError extends Error {
  override name = 'CallbackRefusedError';
}

const MAX_URL_LENGTH = 2048;

/**
 * Addresses a callback must never reach when deployed (server-side request forgery): loopback,
 * private, link-local (the cloud metadata service at 169.254.169.254), carrier-grade NAT, unspecified,
 * multicast and reserved ranges, in IPv4 and IPv6 (IPv4-mapped IPv6 addresses are checked as IPv4).
 */
const INTERNAL = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  INTERNAL.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
] as const) {
  INTERNAL.addSubnet(network, prefix, 'ipv6');
}

/** True for an address inside a network (see INTERNAL). */
export function isInternalAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return INTERNAL.check(mapped[1]!, 'ipv4');
  const family = isIP(address);
  if (family === 0) return true;
  return INTERNAL.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** A callback URL as given at submit: http(s), no credentials in it, at most 2,048 characters. */
export function parseCallbackUrl(raw: unknown): URL {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > MAX_URL_LENGTH) {
    throw new CallbackRefusedError(
      `callback.url must be an http(s) URL of at most ${MAX_URL_LENGTH} characters`,
    );
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new CallbackRefusedError('callback.url is not a URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CallbackRefusedError('callback.url must be http or https');
  }
  if (url.username || url.password) throw new CallbackRefusedError('callback.url must not carry credentials');
  return url;
}

type Lookup = (
  hostname: string,
  options: { all: true },
  callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

/** The host of a URL without IPv6 brackets. */
const hostOf = (url: URL) => url.hostname.replace(/^\[|\]$/g, '');

const internalRefusal = (host: string, address: string) =>
  new CallbackRefusedError(
    `callback host ${host} resolves to ${address}, an internal address: refused (server-side request forgery)`,
  );

/**
 * Refuses a URL whose host is an internal IP address written out (no lookup happens for one, so
 * {@link guardedLookup} never sees it): the delivery's check, beside the guarded lookup.
 */
export function refuseInternalLiteral(url: URL, allowInternal: boolean): void {
  const host = hostOf(url);
  if (!allowInternal && isIP(host) && isInternalAddress(host)) throw internalRefusal(host, host);
}

/**
 * At submit: resolves a callback URL's host and refuses it when any address it names is internal
 * (unless `allowInternal`, the local stack's setting), or when it does not resolve. A delivery does
 * not resolve it again: its connection's own lookup ({@link guardedLookup}) refuses the same
 * addresses, so a name cannot be switched to an internal one in between.
 */
export async function checkCallbackTarget(
  url: URL,
  { allowInternal, lookup = dnsLookup as unknown as Lookup }: { allowInternal: boolean; lookup?: Lookup },
): Promise<void> {
  if (allowInternal) return;
  refuseInternalLiteral(url, false);
  const host = hostOf(url);
  if (isIP(host)) return;
  const addresses = await new Promise<string[]>((resolve, reject) =>
    lookup(host, { all: true }, (error, found) =>
      error
        ? reject(
            new CallbackRefusedError(
              `callback host ${host} does not resolve (${error.code ?? error.message})`,
            ),
          )
        : resolve(found.map((a) => a.address)),
    ),
  );
  const internal = addresses.find(isInternalAddress);
  if (internal !== undefined) throw internalRefusal(host, internal);
}

/**
 * A `lookup` for http.request that refuses internal addresses at connect time, so a name that
 * resolved to a public address when checked cannot be switched to an internal one for the request
 * (DNS rebinding). Node asks for one address or, choosing a family itself, for all of them.
 */
export function guardedLookup(allowInternal: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, '', 0);
      const internal = addresses.find((a) => isInternalAddress(a.address));
      if (!allowInternal && internal) {
        return callback(
          Object.assign(internalRefusal(hostname, internal.address), { code: 'EINTERNAL' }),
          '',
          0,
        );
      }
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      const first = addresses[0];
      if (!first)
        return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '', 0);
      callback(null, first.address, first.family);
    });
  };
}
