import { createDashboardHandler } from '../../../../lib/http/handlers/dashboard';
import { createQueueStatsHandler } from '../../../../lib/http/handlers/queue-stats';
import { apiEvent, bodyOf, context } from '../../../helpers/events';
import { silentLogger, unitServices } from '../../../helpers/services';

describe('GET /dashboard', () => {
  it('serves one self-contained page that needs no network but the API', async () => {
    const response = await createDashboardHandler({ logger: silentLogger })(
      apiEvent({ path: '/dashboard' }),
      context,
    );
    expect(response.statusCode).toBe(200);
    expect(response.headers?.['content-type']).toBe('text/html; charset=utf-8');
    expect(response.body).toContain('/api/queue-stats');
    expect(response.body).not.toMatch(/(src|href)=["']https?:/);
  });
});

describe('GET /api/queue-stats', () => {
  it('answers 503 with a clear code when SQS does not answer', async () => {
    const { services, send, cleanup } = await unitServices();
    send.mockRejectedValue(new Error('connect ECONNREFUSED'));
    const response = await createQueueStatsHandler(services)(apiEvent(), context);
    expect(response.statusCode).toBe(503);
    expect(bodyOf(response)).toMatchObject({ error: { code: 'queue_unavailable' } });
    await cleanup();
  });
});
