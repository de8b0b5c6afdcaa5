import type { GetParameterCommand } from '@aws-sdk/client-ssm';
import { SSMClient } from '@aws-sdk/client-ssm';
import { jest } from '@jest/globals';
import { createGetJobHandler } from '../../../lib/http/handlers/get-job';
import { createHealthHandler } from '../../../lib/http/handlers/health';
import { createListJobsHandler } from '../../../lib/http/handlers/list-jobs';
import { createSubmitJobHandler } from '../../../lib/http/handlers/submit-job';
import { createAuthenticator } from '../../../lib/auth/authenticator';
import { hashApiToken, newApiToken, parseTokenHashes, tokenMatches } from '../../../lib/auth/api-tokens';
import { ssmTokenSource } from '../../../lib/auth/token-source';
import { createLogger } from '../../../lib/logger';
import { apiEvent, bodyOf, context } from '../../helpers/events';
import { unitServices } from '../../helpers/services';

describe('API tokens', () => {
  it('are random, and only their SHA-256 is kept', () => {
    const token = newApiToken();
    expect(token).toMatch(/^sq_[\w-]{43}$/);
    expect(newApiToken()).not.toBe(token);
    expect(hashApiToken(token)).toMatch(/^[0-9a-f]{64}$/);
    expect(tokenMatches(token, [hashApiToken('other'), hashApiToken(token)])).toBe(true);
    expect(tokenMatches(`${token}x`, [hashApiToken(token)])).toBe(false);
    expect(tokenMatches(token, [])).toBe(false);
  });

  it('reads a stored list, dropping anything that is not a hash', () => {
    const a = hashApiToken('a');
    const b = hashApiToken('b');
    expect(parseTokenHashes(`${a},${b.toUpperCase()}\n not-a-hash`)).toEqual([a, b]);
  });
});

describe('authentication', () => {
  const token = newApiToken();

  it('answers 401 in the error shape without a token or with a wrong one, and lets a right one in', async () => {
    const { services, cleanup } = await unitServices({ auth: { token } });
    const list = createListJobsHandler(services);
    for (const authorization of [undefined, 'Bearer wrong', `Basic ${token}`, token]) {
      const response = await list(apiEvent({ headers: authorization ? { authorization } : {} }), context);
      expect(response.statusCode).toBe(401);
      expect(response.headers).toMatchObject({ 'www-authenticate': 'Bearer' });
      expect(bodyOf(response)).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
    }
    const ok = await list(apiEvent({ headers: { authorization: `Bearer ${token}` } }), context);
    expect(ok.statusCode).toBe(200);
    await cleanup();
  });

  it('keeps /api/health public', async () => {
    const { services, send, cleanup } = await unitServices({ auth: { token } });
    send.mockResolvedValue({ Attributes: {} });
    const response = await createHealthHandler(services)(apiEvent(), context);
    expect(response.statusCode).toBe(200);
    await cleanup();
  });

  it('checks the token before it reads a body or writes anything, and never logs the token', async () => {
    const lines: string[] = [];
    const logger = createLogger({ destination: { write: (line: string) => void lines.push(line) } });
    const { services, send, cleanup } = await unitServices({ auth: { token } });
    const submit = createSubmitJobHandler({ ...services, logger });
    const wrong = `${token}-wrong`;
    const response = await submit(
      apiEvent({
        method: 'POST',
        pathParameters: { task: 'echo' },
        headers: { authorization: `Bearer ${wrong}` },
        body: '{not json',
      }),
      context,
    );
    expect(response.statusCode).toBe(401);
    expect(send).not.toHaveBeenCalled();
    await expect(services.store.list()).resolves.toEqual({ jobs: [] });
    const get = createGetJobHandler({ ...services, logger });
    await get(
      apiEvent({ pathParameters: { id: 'x' }, headers: { authorization: `Bearer ${token}` } }),
      context,
    );
    expect(lines.join('')).not.toContain(token);
    await cleanup();
  });
});

describe('SSM token source', () => {
  function ssmReturning(value: () => Promise<string>) {
    const ssm = new SSMClient({
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    });
    const send = jest.fn(async (_command: unknown): Promise<unknown> => ({
      Parameter: { Value: await value() },
    }));
    ssm.send = send as unknown as SSMClient['send'];
    return { ssm, send };
  }

  it('reads the parameter once per TTL, not once per request', async () => {
    const hash = hashApiToken('t');
    const { ssm, send } = ssmReturning(async () => hash);
    const source = ssmTokenSource({ ssm, parameterName: '/spawn-queue/prod/api-token-hashes' });
    await expect(Promise.all([source(), source(), source()])).resolves.toEqual([[hash], [hash], [hash]]);
    expect(send).toHaveBeenCalledTimes(1);
    expect((send.mock.calls[0]![0] as GetParameterCommand).input).toEqual({
      Name: '/spawn-queue/prod/api-token-hashes',
      WithDecryption: true,
    });
  });

  it('fails closed: no list ever read means 503 auth_unavailable, never an open door', async () => {
    const { ssm } = ssmReturning(async () => {
      throw new Error('AccessDenied');
    });
    const { services, cleanup } = await unitServices();
    const auth = createAuthenticator(ssmTokenSource({ ssm, parameterName: '/p' }));
    const response = await createListJobsHandler({ ...services, auth })(
      apiEvent({ headers: { authorization: 'Bearer anything' } }),
      context,
    );
    expect(response.statusCode).toBe(503);
    expect(bodyOf(response)).toMatchObject({ error: { code: 'auth_unavailable' } });
    await cleanup();
  });
});
