import OfflineBackgroundFunctions from '../../serverless-plugins/offline-background-functions';
import { httpApiCors } from '../../config/http-api-cors';

describe('serverless plugin: offline-background-functions', () => {
  it('leaves serverless offline only the functions no queue and no schedule triggers', () => {
    const functions: Record<string, { events?: unknown[] }> = {
      health: { events: [{ httpApi: 'GET /api/health' }] },
      runJobs: { events: [{ sqs: { arn: 'arn' } }] },
      deliverCallbacks: { events: [{ sqs: { arn: 'arn' } }] },
      reconcileQueue: { events: [{ schedule: 'rate(1 minute)' }] },
      plain: {},
    };
    const plugin = new OfflineBackgroundFunctions({ service: { functions } });
    plugin.hooks['before:offline:start:init']!();
    expect(Object.keys(functions)).toEqual(['health', 'plain']);
  });
});

describe('the HTTP API’s CORS configuration (config/http-api-cors.js)', () => {
  it('grants no origin unless CORS_ORIGINS names it, and never with credentials', () => {
    expect(httpApiCors({})).toBe(false);
    expect(httpApiCors({ CORS_ORIGINS: ' ' })).toBe(false);
    const cors = httpApiCors({ CORS_ORIGINS: 'https://app.example.com' });
    expect(cors).toMatchObject({
      allowedOrigins: ['https://app.example.com'],
      allowedMethods: ['GET', 'POST', 'PATCH', 'DELETE'],
    });
    expect(cors).not.toHaveProperty('allowCredentials');
  });

  it('refuses a wildcard or a bad origin, naming the variable', () => {
    expect(() => httpApiCors({ CORS_ORIGINS: '*' })).toThrow(/^CORS_ORIGINS: "\*"/);
  });
});
