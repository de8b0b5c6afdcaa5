import type { HttpEvent } from '../http-handler';
import { httpHandler } from '../http-handler';
import { json } from '../json-response';
import { intQuery, optionalQuery, scheduleIdParam } from '../params';
import { badRequest } from '../api-error';
import { isJobId } from '../../jobs/job-id';
import { scheduleView } from '../../schedules/schedule';
import {
  createSchedule,
  deleteSchedule,
  readSchedule,
  updateSchedule,
} from '../../schedules/schedule-lifecycle';
import type { Services } from '../../services';

type ScheduleServices = Pick<Services, 'schedules' | 'catalogue' | 'logger' | 'auth' | 'config'>;

/**
 * The schedule routes, one thin handler each (the rules are lib/schedules): POST /api/schedules
 * (201 with the schedule and its `nextRunAt`), GET /api/schedules (oldest first, a page at a time),
 * GET, PATCH and DELETE /api/schedules/{id}.
 */
export function createCreateScheduleHandler({
  schedules,
  catalogue,
  logger,
  auth,
  config,
}: ScheduleServices) {
  return httpHandler(
    async (event: HttpEvent) => {
      const schedule = await createSchedule({ schedules, catalogue }, event.parsedBody);
      logger.info(
        { event: 'schedule-create', scheduleId: schedule.id, cron: schedule.cron },
        'schedule made',
      );
      const view = scheduleView(schedule);
      return json(201, view, { location: view.links.self });
    },
    { logger, auth, body: { maxBytes: config.maxBodyBytes } },
  );
}

export function createListSchedulesHandler({ schedules, logger, auth }: ScheduleServices) {
  return httpHandler(
    async (event: HttpEvent) => {
      const cursor = optionalQuery(event, 'cursor', 'the nextCursor of the page before');
      if (cursor !== undefined && !isJobId(cursor)) throw badRequest('invalid_query', 'cursor is not valid');
      const limit = intQuery(event, 'limit', 1, 100) ?? 20;
      const page = await schedules.list({ limit, cursor });
      const next = page.nextCursor
        ? `/api/schedules?${new URLSearchParams({ limit: String(limit), cursor: page.nextCursor })}`
        : null;
      return json(200, {
        schedules: page.schedules.map(scheduleView),
        nextCursor: page.nextCursor ?? null,
        links: { next },
      });
    },
    { logger, auth },
  );
}

export function createGetScheduleHandler({ schedules, logger, auth }: ScheduleServices) {
  return httpHandler(
    async (event: HttpEvent) =>
      json(200, scheduleView(await readSchedule(schedules, scheduleIdParam(event)))),
    { logger, auth },
  );
}

export function createUpdateScheduleHandler({
  schedules,
  catalogue,
  logger,
  auth,
  config,
}: ScheduleServices) {
  return httpHandler(
    async (event: HttpEvent) => {
      const id = scheduleIdParam(event);
      const schedule = await updateSchedule({ schedules, catalogue }, id, event.parsedBody);
      logger.info({ event: 'schedule-update', scheduleId: id, paused: schedule.paused }, 'schedule changed');
      return json(200, scheduleView(schedule));
    },
    { logger, auth, body: { maxBytes: config.maxBodyBytes } },
  );
}

export function createDeleteScheduleHandler({ schedules, logger, auth }: ScheduleServices) {
  return httpHandler(
    async (event: HttpEvent) => {
      const id = scheduleIdParam(event);
      await deleteSchedule(schedules, id);
      logger.info({ event: 'schedule-delete', scheduleId: id }, 'schedule deleted; its jobs stay');
      return { statusCode: 204, headers: {}, body: '' };
    },
    { logger, auth },
  );
}
