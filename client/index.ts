/**
 * A typed client of the spawn-queue API (`import { createClient } from 'spawn-queue/client'`). Its
 * types come from the API's OpenAPI document (client/api-types.ts, generated), its requests go
 * through openapi-fetch; every error arrives as one SpawnQueueError carrying the API's `code`.
 */
import createFetchClient from 'openapi-fetch';
import type { components, paths } from './api-types';

type Schemas = components['schemas'];
export type Job = Schemas['Job'];
export type JobAccepted = Schemas['JobAccepted'];
export type JobStatus = Schemas['JobStatus'];
export type JobPage = Schemas['JobPage'];
export type QueueStats = Schemas['QueueStats'];
export type Task = Schemas['Task'];
export type OutputPage = Schemas['OutputPage'];
export type OutputStream = OutputPage['stream'];
export type Schedule = Schemas['Schedule'];
/** What a new schedule sets: its task and cron, and optionally the rest. */
export type ScheduleFields = NonNullable<
  paths['/api/schedules']['post']['requestBody']
>['content']['application/json'];
/** What a change of a schedule may set: any of its fields but its task. */
export type ScheduleChange = Omit<Partial<ScheduleFields>, 'task' | 'concurrencyKey'> & {
  concurrencyKey?: string | null;
};

type SubmitPath = Extract<keyof paths, `/api/tasks/${string}`>;
/** The tasks of the catalogue this client was generated from. */
export type TaskName = SubmitPath extends `/api/tasks/${infer Name}` ? Name : never;
/** The input a task takes, from its schema. */
export type TaskInput<Name extends TaskName> = NonNullable<
  NonNullable<paths[`/api/tasks/${Name}`]['post']['requestBody']>['content']['application/json']['input']
>;

export const FINAL_STATUSES: readonly JobStatus[] = [
  'succeeded',
  'failed',
  'timed_out',
  'cancelled',
  'expired',
];
export const isFinal = (status: JobStatus) => FINAL_STATUSES.includes(status);

/**
 * What the API answered instead of what was asked, with its error `code` (`job_not_found`,
 * `unauthorized`, ...), or `unreachable` (status 0) when no answer came.
 */
export class SpawnQueueError extends Error {
  override name = 'SpawnQueueError';
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface ClientOptions {
  /** The API's base URL, e.g. http://localhost:5000. */
  url: string;
  /** An API token, sent as `Authorization: Bearer`. */
  token?: string;
  /** A fetch to use instead of the global one. */
  fetch?: typeof fetch;
}

/** The longest wait one request may ask for (`?wait`). */
const MAX_WAIT_SECONDS = 25;

type Answer<T> = Promise<{ data?: T; error?: unknown; response: Response }>;

export function createClient(options: ClientOptions) {
  const api = createFetchClient<paths>({
    baseUrl: options.url.replace(/\/+$/, ''),
    headers: options.token ? { authorization: `Bearer ${options.token}` } : {},
    fetch: options.fetch,
  });

  async function call<T>(request: () => Answer<T>): Promise<T> {
    let answer: Awaited<Answer<T>>;
    try {
      answer = await request();
    } catch (cause) {
      const reason =
        cause instanceof Error
          ? ((cause.cause as Error | undefined)?.message ?? cause.message)
          : String(cause);
      throw new SpawnQueueError(`cannot reach ${options.url}: ${reason}`, 0, 'unreachable', { cause });
    }
    if (answer.response.ok) return answer.data as T;
    const error = (answer.error as { error?: { code?: string; message?: string } } | undefined)?.error;
    throw new SpawnQueueError(
      error?.message ?? `${answer.response.status} ${answer.response.statusText}`,
      answer.response.status,
      error?.code ?? 'http_error',
    );
  }

  const iso = (time: string | Date) => (time instanceof Date ? time.toISOString() : time);

  const client = {
    /** The catalogue: what may run, and the input each task takes. */
    tasks: async (): Promise<Task[]> => (await call(() => api.GET('/api/tasks'))).tasks,

    /**
     * Submits a job. With `wait` (seconds, at most 25) the answer is the finished job if it finishes
     * in time; otherwise the job as accepted (`{ jobId, status, eta, links }`). `delaySeconds` (at
     * most a day) or `runAt` (at most 24 hours ahead) run it later: it is `scheduled` until then.
     * `startBy`: not started by then, it ends `expired` and never runs. `deadline`: finish by then, or
     * the submit is refused (ApiError `deadline_unreachable`, its body with the ETA) and nothing queued.
     * `concurrencyKey`: who the job belongs to (a tenant): the slots are shared fairly by key, and
     * the task's `concurrency.perKey` bounds how many jobs of one key run at once.
     */
    submit<Name extends TaskName>(
      task: Name | (string & {}),
      input: TaskInput<Name> | Record<string, unknown>,
      opts: {
        wait?: number;
        idempotencyKey?: string;
        delaySeconds?: number;
        runAt?: string | Date;
        startBy?: string | Date;
        deadline?: string | Date;
        concurrencyKey?: string;
        /** POST the job, signed, to this URL once it is final. */
        callbackUrl?: string;
      } = {},
    ): Promise<Job | JobAccepted> {
      const when = {
        ...(opts.delaySeconds === undefined ? {} : { delaySeconds: opts.delaySeconds }),
        ...(opts.runAt === undefined
          ? {}
          : { runAt: opts.runAt instanceof Date ? opts.runAt.toISOString() : opts.runAt }),
        ...(opts.startBy === undefined ? {} : { startBy: iso(opts.startBy) }),
        ...(opts.deadline === undefined ? {} : { deadline: iso(opts.deadline) }),
        ...(opts.concurrencyKey === undefined ? {} : { concurrencyKey: opts.concurrencyKey }),
        ...(opts.callbackUrl === undefined ? {} : { callback: { url: opts.callbackUrl } }),
      };
      return call(
        () =>
          api.POST(
            `/api/tasks/${task}` as SubmitPath,
            {
              body: { input, ...when } as never,
              params: {
                query: opts.wait === undefined ? {} : { wait: Math.min(opts.wait, MAX_WAIT_SECONDS) },
                header: opts.idempotencyKey ? { 'Idempotency-Key': opts.idempotencyKey } : {},
              },
            } as never,
          ) as Answer<Job | JobAccepted>,
      );
    },

    /** A job; with `wait`, as soon as it is final or after that many seconds (at most 25). */
    get: (id: string, opts: { wait?: number } = {}): Promise<Job> =>
      call(() =>
        api.GET('/api/jobs/{id}', {
          params: {
            path: { id },
            query: opts.wait === undefined ? {} : { wait: Math.min(opts.wait, MAX_WAIT_SECONDS) },
          },
        }),
      ),

    /**
     * Waits until the job is final (long polls of up to 25 s each), calling `onUpdate` with the job
     * after each; rejects with code `wait_timeout` after `timeoutSeconds`, if given.
     */
    async wait(
      id: string,
      opts: { timeoutSeconds?: number; onUpdate?: (job: Job) => void } = {},
    ): Promise<Job> {
      const deadline = opts.timeoutSeconds === undefined ? Infinity : Date.now() + opts.timeoutSeconds * 1000;
      for (;;) {
        const left = Math.ceil((deadline - Date.now()) / 1000);
        const job = await client.get(id, { wait: Math.max(0, Math.min(MAX_WAIT_SECONDS, left)) });
        opts.onUpdate?.(job);
        if (isFinal(job.status)) return job;
        if (Date.now() >= deadline) {
          throw new SpawnQueueError(`job ${id} is still ${job.status}`, 0, 'wait_timeout');
        }
      }
    },

    /**
     * Every job, newest first (optionally of one status, of one concurrency key), fetched a page at a
     * time as it is read.
     */
    async *list(
      opts: { status?: JobStatus; concurrencyKey?: string; pageSize?: number } = {},
    ): AsyncGenerator<Job> {
      let cursor: string | undefined;
      do {
        const page: JobPage = await call(() =>
          api.GET('/api/jobs', {
            params: {
              query: {
                ...(opts.status ? { status: opts.status } : {}),
                ...(opts.concurrencyKey !== undefined ? { concurrencyKey: opts.concurrencyKey } : {}),
                ...(opts.pageSize ? { limit: opts.pageSize } : {}),
                ...(cursor ? { cursor } : {}),
              },
            },
          }),
        );
        yield* page.jobs;
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
    },

    /** One read of a job's output from `offset` on; with `wait`, as soon as there is more (≤ 25 s). */
    readOutput: (
      id: string,
      opts: { stream?: OutputStream; offset?: number; wait?: number } = {},
    ): Promise<OutputPage> =>
      call(() =>
        api.GET('/api/jobs/{id}/output', {
          params: {
            path: { id },
            query: {
              stream: opts.stream ?? 'stdout',
              offset: opts.offset ?? 0,
              ...(opts.wait === undefined ? {} : { wait: Math.min(opts.wait, MAX_WAIT_SECONDS) }),
            },
          },
        }),
      ),

    /**
     * A job's output as it is written (`stdout` by default), piece by piece, until the job has ended
     * and all of it has come: each read waits up to 25 s for more. A new attempt of the job (a retry)
     * writes its output again from the start: its pieces start over at offset 0, with its `attempt`.
     */
    async *output(
      id: string,
      opts: { stream?: OutputStream; offset?: number } = {},
    ): AsyncGenerator<OutputPage> {
      const stream = opts.stream ?? 'stdout';
      let offset = opts.offset ?? 0;
      let attempt: number | undefined;
      for (;;) {
        const page = await client.readOutput(id, { stream, offset, wait: MAX_WAIT_SECONDS });
        if (attempt !== undefined && page.attempt !== attempt && offset > 0) {
          // Another attempt: its text starts over.
          attempt = page.attempt;
          offset = 0;
          continue;
        }
        attempt = page.attempt;
        if (page.data !== '') yield page;
        offset = page.nextOffset;
        if (page.complete) return;
      }
    },

    /** Cancels a job: a queued one never runs; a running one's process is stopped. */
    cancel: (id: string): Promise<Job> =>
      call(() => api.DELETE('/api/jobs/{id}', { params: { path: { id } } }) as Answer<Job>),

    /** Runs a failed, timed out or cancelled job again, as its next attempt. */
    retry: (id: string, opts: { idempotencyKey?: string } = {}): Promise<Job> =>
      call(() =>
        api.POST('/api/jobs/{id}/retry', {
          params: {
            path: { id },
            header: opts.idempotencyKey ? { 'Idempotency-Key': opts.idempotencyKey } : {},
          },
        }),
      ),

    /** Moves the dead-letter queue's messages back to the jobs queue. */
    redrive: async (): Promise<number> => (await call(() => api.POST('/api/dead-letters/redrive'))).moved,

    /** Queue depth, slots, throughput, wait and run times, jobs by status. */
    stats: (): Promise<QueueStats> => call(() => api.GET('/api/queue-stats')),

    /**
     * Makes a schedule: a job of `task` at each fire time of `cron` (five fields, in `timezone`,
     * UTC by default). `overlap: 'skip'` (default) makes no job while the previous one runs;
     * `catchUp` runs fire times missed while the stack was down; `paused` fires nothing.
     */
    createSchedule: (fields: ScheduleFields): Promise<Schedule> =>
      call(() => api.POST('/api/schedules', { body: fields })),

    /** Every schedule, oldest first, fetched a page at a time as it is read. */
    async *schedules(opts: { pageSize?: number } = {}): AsyncGenerator<Schedule> {
      let cursor: string | undefined;
      do {
        const page = await call(() =>
          api.GET('/api/schedules', {
            params: {
              query: { ...(opts.pageSize ? { limit: opts.pageSize } : {}), ...(cursor ? { cursor } : {}) },
            },
          }),
        );
        yield* page.schedules;
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
    },

    /** A schedule: its next fire time, its last run and job, what it skipped and missed. */
    getSchedule: (id: string): Promise<Schedule> =>
      call(() => api.GET('/api/schedules/{id}', { params: { path: { id } } })),

    /** Changes a schedule (pause it with `{ paused: true }`); its next fire time is computed again. */
    updateSchedule: (id: string, change: ScheduleChange): Promise<Schedule> =>
      call(() => api.PATCH('/api/schedules/{id}', { params: { path: { id } }, body: change as never })),

    /** Deletes a schedule; the jobs it made stay. */
    deleteSchedule: async (id: string): Promise<void> => {
      await call(() => api.DELETE('/api/schedules/{id}', { params: { path: { id } } }) as Answer<unknown>);
    },
  };
  return client;
}

export type SpawnQueueClient = ReturnType<typeof createClient>;
