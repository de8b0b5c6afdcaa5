import { frontDoor, hostName } from '../../../lib/local/front-door';

const request = (headers: Record<string, string>, method = 'GET') => ({ method, headers });
const api = { door: 'api' as const, loopbackOnly: true, corsOrigins: ['https://app.example.com'] };

describe('the local stack’s front door (the rules; the stack end to end is test/e2e/doors.test.ts)', () => {
  it('reads a Host header’s name without its port', () => {
    expect(hostName('LocalHost:5000')).toBe('localhost');
    expect(hostName('[::1]:5000')).toBe('[::1]');
    expect(hostName('127.0.0.1')).toBe('127.0.0.1');
    expect(hostName(undefined)).toBe('');
  });

  it('without tokens, takes loopback names only', () => {
    for (const host of ['localhost:5000', '127.0.0.1:5000', '[::1]:5000', 'localhost']) {
      expect(frontDoor(request({ host }), api)).toEqual({ grant: undefined, preflight: false });
    }
    for (const host of ['rebind.evil.example:5000', 'localhost.evil.example', '127.0.0.2:5000', '']) {
      expect(frontDoor(request({ host }), api)).toMatchObject({
        refuse: { status: 403, code: 'host_not_allowed' },
      });
    }
    expect(frontDoor(request({}), api)).toMatchObject({ refuse: { code: 'host_not_allowed' } });
  });

  it('with tokens, takes any host name', () => {
    expect(frontDoor(request({ host: 'spawn-queue.lan:5000' }), { ...api, loopbackOnly: false })).toEqual({
      grant: undefined,
      preflight: false,
    });
  });

  it('takes the API’s own origin without granting anything, grants CORS_ORIGINS, refuses the rest', () => {
    const host = 'localhost:5000';
    expect(frontDoor(request({ host, origin: 'http://localhost:5000' }), api)).toEqual({
      grant: undefined,
      preflight: false,
    });
    expect(
      frontDoor(
        request(
          { host, origin: 'https://app.example.com', 'access-control-request-method': 'POST' },
          'OPTIONS',
        ),
        api,
      ),
    ).toEqual({ grant: 'https://app.example.com', preflight: true });
    for (const origin of ['https://evil.example', 'null', 'http://localhost:5001', 'http://127.0.0.1:5000']) {
      expect(frontDoor(request({ host, origin }), api)).toMatchObject({
        refuse: { status: 403, code: 'origin_not_allowed' },
      });
    }
  });

  it('on the invoke port: loopback names only, in every mode, and no browser request', () => {
    const invoke = { ...api, door: 'invoke' as const, loopbackOnly: false };
    expect(frontDoor(request({ host: '127.0.0.1:5002' }), invoke)).toEqual({
      grant: undefined,
      preflight: false,
    });
    expect(frontDoor(request({ host: 'spawn-queue.lan:5002' }), invoke)).toMatchObject({
      refuse: { code: 'host_not_allowed' },
    });
    expect(
      frontDoor(request({ host: '127.0.0.1:5002', origin: 'https://app.example.com' }), invoke),
    ).toMatchObject({
      refuse: { code: 'origin_not_allowed' },
    });
  });
});
