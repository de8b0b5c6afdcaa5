import { createHmac } from 'node:crypto';
import {
  CallbackRefusedError,
  checkCallbackTarget,
  isInternalAddress,
  parseCallbackUrl,
} from '../../../lib/callbacks/callback-target';
import { signCallback, verifyCallback } from '../../../lib/callbacks/signature';
import { callbackBackoffSeconds } from '../../../lib/callbacks/deliver-callbacks';

describe('callback signatures', () => {
  const secret = 'whsec-test';
  const body = '{"jobId":"x","status":"succeeded"}';

  it('signs t.<body> with HMAC-SHA256, as a receiver recomputes it', () => {
    const header = signCallback(secret, body, 1_700_000_000);
    const hex = createHmac('sha256', secret).update(`1700000000.${body}`).digest('hex');
    expect(header).toBe(`t=1700000000,v1=${hex}`);
    expect(verifyCallback(secret, body, header, { now: 1_700_000_010_000 })).toBe(true);
  });

  it('refuses another body, another secret, an old timestamp and a malformed header', () => {
    const header = signCallback(secret, body, 1_700_000_000);
    const now = 1_700_000_000_000;
    expect(verifyCallback(secret, `${body} `, header, { now })).toBe(false);
    expect(verifyCallback('other', body, header, { now })).toBe(false);
    expect(verifyCallback(secret, body, header, { now: now + 301_000 })).toBe(false);
    for (const bad of [undefined, '', 't=abc,v1=00', 'v1=00', `t=1700000000,v1=zz`]) {
      expect(verifyCallback(secret, body, bad, { now })).toBe(false);
    }
  });
});

describe('callback targets (server-side request forgery)', () => {
  it.each([
    '127.0.0.1',
    '10.1.2.3',
    '172.20.0.1',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '::1',
    '::',
    'fe80::1',
    'fd00::1',
    '::ffff:127.0.0.1',
    '::ffff:169.254.169.254',
    '224.0.0.1',
  ])('%s is internal', (address) => expect(isInternalAddress(address)).toBe(true));

  it.each(['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111', '::ffff:8.8.8.8'])('%s is public', (address) =>
    expect(isInternalAddress(address)).toBe(false),
  );

  it.each([
    ['not a string', 42],
    ['empty', ''],
    ['not a URL', 'example.com/hook'],
    ['another scheme', 'file:///etc/passwd'],
    ['credentials', 'https://user:pass@example.com/hook'],
    ['too long', `https://example.com/${'a'.repeat(2048)}`],
  ])('refuses a URL that is %s', (_name, raw) => {
    expect(() => parseCallbackUrl(raw)).toThrow(CallbackRefusedError);
  });

  const lookupTo =
    (...addresses: string[]) =>
    (
      _host: string,
      _options: { all: true },
      callback: (e: null, a: Array<{ address: string; family: number }>) => void,
    ) =>
      callback(
        null,
        addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
      );

  it('refuses a host that resolves to any internal address, unless internal ones are allowed', async () => {
    const url = new URL('https://hooks.example.com/done');
    await expect(
      checkCallbackTarget(url, { allowInternal: false, lookup: lookupTo('93.184.216.34') }),
    ).resolves.toBeUndefined();
    await expect(
      checkCallbackTarget(url, { allowInternal: false, lookup: lookupTo('93.184.216.34', '10.0.0.5') }),
    ).rejects.toThrow(/resolves to 10\.0\.0\.5, an internal address/);
    await expect(
      checkCallbackTarget(new URL('http://[::1]:8080/'), { allowInternal: false }),
    ).rejects.toThrow(CallbackRefusedError);
    await expect(
      checkCallbackTarget(new URL('http://127.0.0.1:8080/'), { allowInternal: true }),
    ).resolves.toBeUndefined();
  });
});

describe('callback backoff', () => {
  it('doubles from 2 s up to an hour, jittered into [half, whole]', () => {
    expect([1, 2, 3, 4].map((n) => callbackBackoffSeconds(n, () => 1))).toEqual([2, 4, 8, 16]);
    expect(callbackBackoffSeconds(30, () => 1)).toBe(3600);
    expect(callbackBackoffSeconds(30, () => 0)).toBe(1800);
  });
});
