/** A schedule's fields that cannot be: the field, and why (answered 400 `invalid_schedule`). */
export class ScheduleInputError extends Error {
  override name = 'ScheduleInputError';
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
  }
}

export class ScheduleNotFoundError extends Error {
  override name = 'ScheduleNotFoundError';
  constructor(readonly scheduleId: string) {
    super(`no schedule ${scheduleId}`);
  }
}

/** MAX_SCHEDULES are kept already (answered 409 `schedules_full`). */
export class SchedulesFullError extends Error {
  override name = 'SchedulesFullError';
  constructor(readonly limit: number) {
    super(`${limit} schedules exist, the most this service keeps; delete one first`);
  }
}
