import page from '../../dashboard/dashboard.html';
import type { HttpEvent } from '../http-handler';
import { httpHandler } from '../http-handler';
import type { Services } from '../../services';

/**
 * GET /dashboard: one self-contained page (no CDN, works offline) that polls /api/queue-stats and
 * /api/jobs every second and shows the slots, the queue and throughput.
 */
export function createDashboardHandler({ logger }: Pick<Services, 'logger'>) {
  return httpHandler(
    async (_event: HttpEvent) => ({
      statusCode: 200,
      headers: {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-cache',
        'content-security-policy':
          "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'",
      },
      body: page,
    }),
    { logger, auth: 'public' },
  );
}
