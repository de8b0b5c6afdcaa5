/**
 * The API's types, generated from its OpenAPI document by openapi-typescript: do not edit, run
 * `npm run openapi:types` (a test fails when this file is out of date).
 */
export interface paths {
    "/api/dead-letters/redrive": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Move the dead-letter queue’s messages back to the jobs queue */
        post: operations["postApiDeadLettersRedrive"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Whether SQS and the job store really answer */
        get: operations["getApiHealth"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/jobs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Jobs, newest first, one page at a time */
        get: operations["getApiJobs"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/jobs/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A job */
        get: operations["getApiJobsId"];
        put?: never;
        post?: never;
        /** Cancel a job: at once if queued, its process stopped if running */
        delete: operations["deleteApiJobsId"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/jobs/{id}/output": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A job’s output from a byte offset on, while it runs (at most 500 ms old) and after */
        get: operations["getApiJobsIdOutput"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/jobs/{id}/retry": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Run a failed, timed out or cancelled job again */
        post: operations["postApiJobsIdRetry"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The queue statistics in Prometheus’ text format (version 0.0.4) */
        get: operations["getApiMetrics"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/openapi.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** This document */
        get: operations["getOpenApi"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/queue-stats": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Queue depth, slots, throughput, wait and run times, jobs by status */
        get: operations["getApiQueueStats"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/schedules": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Schedules, oldest first, one page at a time */
        get: operations["getApiSchedules"];
        put?: never;
        /** Make a schedule: a job of the task at each fire time of the cron expression */
        post: operations["postApiSchedules"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/schedules/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A schedule: its next fire time, its last run, what it skipped and missed */
        get: operations["getApiSchedulesId"];
        put?: never;
        post?: never;
        /** Delete a schedule; the jobs it made stay */
        delete: operations["deleteApiSchedulesId"];
        options?: never;
        head?: never;
        /** Change a schedule (pause or resume it); its next fire time is computed again from now */
        patch: operations["patchApiSchedulesId"];
        trace?: never;
    };
    "/api/system-info": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Runtime, memory, load, version and the effective settings (no secrets) */
        get: operations["getApiSystemInfo"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/tasks": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The task catalogue: what may run, the input each takes, what this runtime lacks */
        get: operations["getApiTasks"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/tasks/base64": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Submit a `base64` job: Base64-encodes the given text. */
        post: operations["submitBase64"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/tasks/echo": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Submit a `echo` job: Prints the given text and a newline. */
        post: operations["submitEcho"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/tasks/fail": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Submit a `fail` job: Exits with the given code, to show how failures are reported. */
        post: operations["submitFail"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/tasks/kernel-info": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Submit a `kernel-info` job: Prints the kernel name, release and machine (uname). */
        post: operations["submitKernel-info"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/tasks/sha256": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Submit a `sha256` job: SHA-256 of the given text, fed on stdin. */
        post: operations["submitSha256"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/tasks/sleep": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Submit a `sleep` job: Sleeps for the given number of seconds (the system sleep). */
        post: operations["submitSleep"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/tasks/sort-lines": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Submit a `sort-lines` job: Sorts the lines of the given text; optionally in reverse and without duplicates. */
        post: operations["submitSort-lines"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/tasks/system-date": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Submit a `system-date` job: Prints the current UTC time in ISO 8601. */
        post: operations["submitSystem-date"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/tasks/ticker": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Submit a `ticker` job: Prints tick 1 to tick N, one line every M milliseconds: output to watch while it runs. */
        post: operations["submitTicker"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/tasks/word-count": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Submit a `word-count` job: Counts lines, words and bytes of the given text (wc on stdin). */
        post: operations["submitWord-count"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/dashboard": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The dashboard (HTML) */
        get: operations["getDashboard"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        Attempt: {
            attempt: number;
            error: string | null;
            exitCode: number | null;
            /** Format: date-time */
            finishedAt: string;
            signal: string | null;
            startedAt: string | null;
        };
        Callback: {
            /** @description deliveries tried */
            attempts: number;
            lastError: string | null;
            /**
             * @description pending until delivered (a 2xx answer); failed: refused, or given up after 24 h
             * @enum {unknown}
             */
            status: "pending" | "delivered" | "failed";
            url: string;
        };
        CancelRequested: {
            attemptHistory: components["schemas"]["Attempt"][];
            attempts: number;
            callback: components["schemas"]["Callback"] | null;
            /** @constant */
            cancelRequested: true;
            /** @description who the job belongs to: its key’s fair share of the slots and its task’s perKey */
            concurrencyKey: string | null;
            /** @description the finish-by time its submit gave */
            deadline: string | null;
            error: string | null;
            /** @description a waiting job: when it should start and finish, as the queue stands; null otherwise */
            eta: components["schemas"]["Eta"] | null;
            exitCode: number | null;
            finishedAt: string | null;
            input: Record<string, never>;
            /** Format: uuid */
            jobId: string;
            /** @description the task’s limits on the last attempt and how each held; null for a task without limits */
            limits: components["schemas"]["JobLimits"] | null;
            links: components["schemas"]["JobLinks"];
            nextAttemptAt: string | null;
            /** Format: date-time */
            queuedAt: string;
            /** @description a delayed job: not started before this time */
            runAt: string | null;
            runMs: number | null;
            /** @description the fire time of its schedule that made it */
            scheduledFor: string | null;
            /** @description the schedule that made it */
            scheduleId: string | null;
            signal: string | null;
            /** @description not started by this time, the job ends `expired` */
            startBy: string | null;
            startedAt: string | null;
            status: components["schemas"]["JobStatus"];
            stderr: string;
            stdout: string;
            task: string;
            truncated: boolean;
            /** @description what the last attempt used; null before it ended */
            usage: components["schemas"]["Usage"] | null;
            waitMs: number | null;
        };
        DeadlineUnreachable: {
            error: {
                /** @constant */
                code: "deadline_unreachable";
                eta: components["schemas"]["Eta"];
                message: string;
            };
        };
        /**
         * @example {
         *       "error": {
         *         "code": "job_not_found",
         *         "message": "no job 019ad2c4-5b1e-7c3a-9f00-1b2c3d4e5f60"
         *       }
         *     }
         */
        Error: {
            error: {
                /** @description stable, for programs */
                code: string;
                message: string;
            };
        };
        Eta: {
            /**
             * Format: date-time
             * @description when it should finish: its start and its task’s mean run time
             */
            finishAt: string;
            /**
             * Format: date-time
             * @description when it should start: the running jobs and the jobs ahead of it served by the slots, each task’s mean run time
             */
            startAt: string;
        };
        Health: {
            /** @enum {unknown} */
            sqs: "ok";
            /** @enum {unknown} */
            store: "ok";
        };
        Job: {
            attemptHistory: components["schemas"]["Attempt"][];
            attempts: number;
            callback: components["schemas"]["Callback"] | null;
            /** @description who the job belongs to: its key’s fair share of the slots and its task’s perKey */
            concurrencyKey: string | null;
            /** @description the finish-by time its submit gave */
            deadline: string | null;
            error: string | null;
            /** @description a waiting job: when it should start and finish, as the queue stands; null otherwise */
            eta: components["schemas"]["Eta"] | null;
            exitCode: number | null;
            finishedAt: string | null;
            input: Record<string, never>;
            /** Format: uuid */
            jobId: string;
            /** @description the task’s limits on the last attempt and how each held; null for a task without limits */
            limits: components["schemas"]["JobLimits"] | null;
            links: components["schemas"]["JobLinks"];
            nextAttemptAt: string | null;
            /** Format: date-time */
            queuedAt: string;
            /** @description a delayed job: not started before this time */
            runAt: string | null;
            runMs: number | null;
            /** @description the fire time of its schedule that made it */
            scheduledFor: string | null;
            /** @description the schedule that made it */
            scheduleId: string | null;
            signal: string | null;
            /** @description not started by this time, the job ends `expired` */
            startBy: string | null;
            startedAt: string | null;
            status: components["schemas"]["JobStatus"];
            stderr: string;
            stdout: string;
            task: string;
            truncated: boolean;
            /** @description what the last attempt used; null before it ended */
            usage: components["schemas"]["Usage"] | null;
            waitMs: number | null;
        };
        JobAccepted: {
            /** @description while it waits (queued or scheduled) */
            eta?: components["schemas"]["Eta"];
            /** Format: uuid */
            jobId: string;
            links: components["schemas"]["JobLinks"];
            status: components["schemas"]["JobStatus"];
        };
        JobLimits: {
            /** @description CPU time of the job (user + system), in seconds */
            cpuSeconds?: number;
            held: components["schemas"]["LimitsHeld"];
            /** @description memory of the job, in MB (1 MB = 1,048,576 bytes) */
            memoryMb?: number;
            /** @description processes of the job at once */
            processes?: number;
        };
        JobLinks: {
            cancel: string;
            retry: string;
            self: string;
        };
        JobPage: {
            jobs: components["schemas"]["Job"][];
            links: {
                next: string | null;
            };
            nextCursor: string | null;
        };
        /** @enum {string} */
        JobStatus: "scheduled" | "queued" | "running" | "succeeded" | "failed" | "timed_out" | "cancelled" | "expired";
        LimitsHeld: {
            /**
             * @description job: for the whole job (a cgroup); process: for each process (rlimits); sampled: the job’s processes read every 250 ms and the job stopped over it; none: not held here
             * @enum {unknown}
             */
            cpuSeconds: "job" | "process" | "sampled" | "none";
            /**
             * @description job: for the whole job (a cgroup); process: for each process (rlimits); sampled: the job’s processes read every 250 ms and the job stopped over it; none: not held here
             * @enum {unknown}
             */
            memoryMb: "job" | "process" | "sampled" | "none";
            /**
             * @description job: for the whole job (a cgroup); process: for each process (rlimits); sampled: the job’s processes read every 250 ms and the job stopped over it; none: not held here
             * @enum {unknown}
             */
            processes: "job" | "process" | "sampled" | "none";
        };
        OutputPage: {
            /** @description the attempt the text is of; a new attempt starts again at 0 */
            attempt: number;
            /** @description the job is final and nothing more will come */
            complete: boolean;
            data: string;
            /** @description the `offset` of the next read */
            nextOffset: number;
            /** @description where `data` starts, in bytes of the UTF-8 text */
            offset: number;
            /** @enum {unknown} */
            stream: "stdout" | "stderr";
            /** @description the task wrote more than its output cap */
            truncated: boolean;
        };
        Percentiles: {
            p50: number | null;
            p95: number | null;
            p99: number | null;
        };
        QueueStats: {
            /** @description how many keys have live jobs */
            concurrencyKeyCount: number;
            /** @description the live jobs of each concurrency key (the 50 with the most queued): running, and queued and due */
            concurrencyKeys: {
                concurrencyKey: string;
                queued: number;
                running: number;
            }[];
            /** Format: date-time */
            generatedAt: string;
            jobs: {
                cancelled: number;
                expired: number;
                failed: number;
                queued: number;
                running: number;
                scheduled: number;
                succeeded: number;
                timed_out: number;
            };
            maxConcurrency: number;
            processPool: {
                activeProcesses: number;
                peakQueueSize: number;
                queuedTasks: number;
                totalProcessed: number;
                utilizationPercent: number;
            };
            queue: {
                deadLetter: number;
                delayed: number;
                inFlight: number;
                visible: number;
            };
            retrying: number;
            runMs: components["schemas"]["Percentiles"];
            running: {
                concurrencyKey: string | null;
                elapsedMs: number;
                jobId: string;
                startedAt: string | null;
                task: string;
            }[];
            throughput: {
                last5Minutes: number;
                last15Minutes: number;
                lastMinute: number;
                perMinute: {
                    finished: number;
                    minute: string;
                }[];
            };
            waitMs: components["schemas"]["Percentiles"];
        };
        Redrive: {
            /** @description how many messages were moved */
            moved: number;
        };
        Schedule: {
            catchUp: boolean;
            concurrencyKey: string | null;
            /** Format: date-time */
            createdAt: string;
            cron: string;
            /** Format: uuid */
            id: string;
            input: {
                [key: string]: unknown;
            };
            /** @description that job */
            lastJobId: string | null;
            /** @description the last fire time that made a job */
            lastRunAt: string | null;
            links: {
                self: string;
            };
            /** @description fire times missed while nothing fired, not caught up */
            missed: number;
            /** @description its next fire time; null while paused */
            nextRunAt: string | null;
            /** @enum {unknown} */
            overlap: "skip" | "allow";
            paused: boolean;
            /** @description jobs made */
            runs: number;
            /** @description fire times skipped: the previous run had not finished */
            skipped: number;
            task: string;
            timezone: string;
            /** Format: date-time */
            updatedAt: string;
        };
        SchedulePage: {
            links: {
                next: string | null;
            };
            nextCursor: string | null;
            schedules: components["schemas"]["Schedule"][];
        };
        SystemInfo: {
            /** @constant */
            service: "spawn-queue";
            stage: string;
            version: string;
        };
        Task: {
            available: boolean;
            /** @description perKey: at most this many jobs of the task with one concurrencyKey run at once */
            concurrency: {
                perKey?: number;
            };
            description: string;
            /** @description the JSON Schema of the task’s input */
            input: Record<string, never>;
            limits: components["schemas"]["TaskLimits"];
            /** @description how each limit holds on this runtime */
            limitsHeld: components["schemas"]["LimitsHeld"];
            links: {
                submit: string;
            };
            maxOutputBytes: number;
            name: string;
            timeoutSeconds: number;
            unavailableReason?: string;
        };
        TaskLimits: {
            /** @description CPU time of the job (user + system), in seconds */
            cpuSeconds?: number;
            /** @description memory of the job, in MB (1 MB = 1,048,576 bytes) */
            memoryMb?: number;
            /** @description processes of the job at once */
            processes?: number;
        };
        TaskList: {
            tasks: components["schemas"]["Task"][];
        };
        Unhealthy: {
            error: {
                code: string;
                message: string;
            };
            /** @enum {unknown} */
            sqs: "ok" | "error";
            /** @enum {unknown} */
            store: "ok" | "error";
        };
        Usage: {
            /** @description CPU time of every process of the job (user + system) */
            cpuMs: number;
            /** @description peak memory of the whole job (scope job), or of its first process (scope process) */
            peakMemoryBytes: number;
            /** @description the processes the job started: every one where the stack may read fork events (root); elsewhere as seen every 200-250 ms (one that lived shorter may be missed) */
            processes: number;
            /**
             * @description job: measured over every process of the job (a cgroup); process: from its first process
             * @enum {unknown}
             */
            scope: "job" | "process";
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: {
        /** @description `true` when a repeated request was answered with its first job */
        "Idempotent-Replayed": string;
        /** @description the URL of the job (or schedule) made */
        Location: string;
        /** @description seconds to wait before trying again (store and backlog refusals) */
        "Retry-After": string;
        /** @description the scheme the API takes: Bearer */
        "WWW-Authenticate": string;
    };
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    postApiDeadLettersRedrive: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description how many messages were moved */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Redrive"];
                };
            };
            /** @description a missing or wrong API token (`unauthorized`) */
            401: {
                headers: {
                    "WWW-Authenticate": components["headers"]["WWW-Authenticate"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a browser request from a foreign origin (`origin_not_allowed`), or, on a local stack without tokens, a request addressed to a host name that is not loopback (`host_not_allowed`) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description an unexpected error (`internal_error`), or a job record that cannot be read */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the job store, the queue or the token store does not answer */
            503: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getApiHealth: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description both answer */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Health"];
                };
            };
            /** @description an unexpected error (`internal_error`), or a job record that cannot be read */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a part does not answer */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Unhealthy"];
                };
            };
        };
    };
    getApiJobs: {
        parameters: {
            query?: {
                /** @description only the jobs of this concurrency key */
                concurrencyKey?: string;
                /** @description the `nextCursor` of the page before */
                cursor?: string;
                limit?: number;
                status?: components["schemas"]["JobStatus"];
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description a page */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobPage"];
                };
            };
            /** @description a query parameter out of range or empty (`invalid_query`) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a missing or wrong API token (`unauthorized`) */
            401: {
                headers: {
                    "WWW-Authenticate": components["headers"]["WWW-Authenticate"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a browser request from a foreign origin (`origin_not_allowed`), or, on a local stack without tokens, a request addressed to a host name that is not loopback (`host_not_allowed`) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description an unexpected error (`internal_error`), or a job record that cannot be read */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the job store, the queue or the token store does not answer */
            503: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getApiJobsId: {
        parameters: {
            query?: {
                /** @description answer as soon as the job is final, or after this many seconds (0-25) */
                wait?: number;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the job */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Job"];
                };
            };
            /** @description a malformed job id (`invalid_job_id`) or `?wait` (`invalid_query`) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a missing or wrong API token (`unauthorized`) */
            401: {
                headers: {
                    "WWW-Authenticate": components["headers"]["WWW-Authenticate"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a browser request from a foreign origin (`origin_not_allowed`), or, on a local stack without tokens, a request addressed to a host name that is not loopback (`host_not_allowed`) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such job (`job_not_found`) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description an unexpected error (`internal_error`), or a job record that cannot be read */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the job store, the queue or the token store does not answer */
            503: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    deleteApiJobsId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description cancelled (or already final) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Job"];
                };
            };
            /** @description running: its process is being stopped */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CancelRequested"];
                };
            };
            /** @description a malformed job id (`invalid_job_id`) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a missing or wrong API token (`unauthorized`) */
            401: {
                headers: {
                    "WWW-Authenticate": components["headers"]["WWW-Authenticate"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a browser request from a foreign origin (`origin_not_allowed`), or, on a local stack without tokens, a request addressed to a host name that is not loopback (`host_not_allowed`) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such job (`job_not_found`) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the job has finished (`job_finished`) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description an unexpected error (`internal_error`), or a job record that cannot be read */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the job store, the queue or the token store does not answer */
            503: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getApiJobsIdOutput: {
        parameters: {
            query?: {
                offset?: number;
                stream?: "stdout" | "stderr";
                /** @description answer as soon as there is text past `offset` or the job ends, at most this many seconds (0-25) */
                wait?: number;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the text from `offset` on */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OutputPage"];
                };
            };
            /** @description a malformed job id (`invalid_job_id`) or query parameter (`invalid_query`) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a missing or wrong API token (`unauthorized`) */
            401: {
                headers: {
                    "WWW-Authenticate": components["headers"]["WWW-Authenticate"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a browser request from a foreign origin (`origin_not_allowed`), or, on a local stack without tokens, a request addressed to a host name that is not loopback (`host_not_allowed`) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such job (`job_not_found`) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description an unexpected error (`internal_error`), or a job record that cannot be read */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the job store, the queue or the token store does not answer */
            503: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postApiJobsIdRetry: {
        parameters: {
            query?: never;
            header?: {
                /** @description a repeated request with the same key answers with the first one’s job (1-255 characters) */
                "Idempotency-Key"?: string;
            };
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description queued again */
            202: {
                headers: {
                    Location: components["headers"]["Location"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Job"];
                };
            };
            /** @description a malformed job id or Idempotency-Key */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a missing or wrong API token (`unauthorized`) */
            401: {
                headers: {
                    "WWW-Authenticate": components["headers"]["WWW-Authenticate"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a browser request from a foreign origin (`origin_not_allowed`), or, on a local stack without tokens, a request addressed to a host name that is not loopback (`host_not_allowed`) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such job (`job_not_found`) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the job is not failed, timed out or cancelled (`job_not_retryable`) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description an unexpected error (`internal_error`), or a job record that cannot be read */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the job store, the queue or the token store does not answer */
            503: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getApiMetrics: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the metrics */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/plain": string;
                };
            };
            /** @description a missing or wrong API token (`unauthorized`) */
            401: {
                headers: {
                    "WWW-Authenticate": components["headers"]["WWW-Authenticate"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a browser request from a foreign origin (`origin_not_allowed`), or, on a local stack without tokens, a request addressed to a host name that is not loopback (`host_not_allowed`) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description an unexpected error (`internal_error`), or a job record that cannot be read */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the job store, the queue or the token store does not answer */
            503: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getOpenApi: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OpenAPI 3.1 */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": Record<string, never>;
                };
            };
            /** @description a missing or wrong API token (`unauthorized`) */
            401: {
                headers: {
                    "WWW-Authenticate": components["headers"]["WWW-Authenticate"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a browser request from a foreign origin (`origin_not_allowed`), or, on a local stack without tokens, a request addressed to a host name that is not loopback (`host_not_allowed`) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description an unexpected error (`internal_error`), or a job record that cannot be read */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the job store, the queue or the token store does not answer */
            503: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getApiQueueStats: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the statistics */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["QueueStats"];
                };
            };
            /** @description a missing or wrong API token (`unauthorized`) */
            401: {
                headers: {
                    "WWW-Authenticate": components["headers"]["WWW-Authenticate"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a browser request from a foreign origin (`origin_not_allowed`), or, on a local stack without tokens, a request addressed to a host name that is not loopback (`host_not_allowed`) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description an unexpected error (`internal_error`), or a job record that cannot be read */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the job store, the queue or the token store does not answer */
            503: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getApiSchedules: {
        parameters: {
            query?: {
                /** @description the `nextCursor` of the page before */
                cursor?: string;
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description a page */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SchedulePage"];
                };
            };
            /** @description a query parameter out of range or empty (`invalid_query`) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a missing or wrong API token (`unauthorized`) */
            401: {
                headers: {
                    "WWW-Authenticate": components["headers"]["WWW-Authenticate"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a browser request from a foreign origin (`origin_not_allowed`), or, on a local stack without tokens, a request addressed to a host name that is not loopback (`host_not_allowed`) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description an unexpected error (`internal_error`), or a job record that cannot be read */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the job store, the queue or the token store does not answer */
            503: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postApiSchedules: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "task": "echo",
                 *       "input": {
                 *         "text": "tick"
                 *       },
                 *       "cron": "*\/5 * * * *"
                 *     }
                 */
                "application/json": {
                    /**
                     * @description run the fire times missed while the stack was down (otherwise they are counted in `missed`)
                     * @default false
                     */
                    catchUp?: boolean;
                    /** @description the concurrency key of its jobs */
                    concurrencyKey?: string;
                    /**
                     * @description five fields: minute hour day-of-month month day-of-week, such as "*\/5 * * * *"
                     * @example *\/5 * * * *
                     */
                    cron: string;
                    /** @description the input of each job, as the task’s schema takes it */
                    input?: {
                        [key: string]: unknown;
                    };
                    /**
                     * @description `skip`: no job for a fire time whose previous run has not finished
                     * @default skip
                     * @enum {unknown}
                     */
                    overlap?: "skip" | "allow";
                    /**
                     * @description a paused schedule fires nothing
                     * @default false
                     */
                    paused?: boolean;
                    /** @description a task of GET /api/tasks */
                    task: string;
                    /**
                     * @description the IANA time zone the cron is read in
                     * @default UTC
                     */
                    timezone?: string;
                };
            };
        };
        responses: {
            /** @description made, with its next fire time */
            201: {
                headers: {
                    Location: components["headers"]["Location"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Schedule"];
                };
            };
            /** @description a field that cannot be (`invalid_schedule`), input the task refuses (`invalid_input`) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a missing or wrong API token (`unauthorized`) */
            401: {
                headers: {
                    "WWW-Authenticate": components["headers"]["WWW-Authenticate"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a browser request from a foreign origin (`origin_not_allowed`), or, on a local stack without tokens, a request addressed to a host name that is not loopback (`host_not_allowed`) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such task (`unknown_task`) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the most schedules this service keeps exist already (`schedules_full`) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a body over the limit (`body_too_large`) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a content type other than application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description an unexpected error (`internal_error`), or a job record that cannot be read */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the job store, the queue or the token store does not answer */
            503: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getApiSchedulesId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the schedule */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Schedule"];
                };
            };
            /** @description a malformed schedule id (`invalid_schedule_id`) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a missing or wrong API token (`unauthorized`) */
            401: {
                headers: {
                    "WWW-Authenticate": components["headers"]["WWW-Authenticate"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a browser request from a foreign origin (`origin_not_allowed`), or, on a local stack without tokens, a request addressed to a host name that is not loopback (`host_not_allowed`) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such schedule (`schedule_not_found`) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description an unexpected error (`internal_error`), or a job record that cannot be read */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the job store, the queue or the token store does not answer */
            503: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    deleteApiSchedulesId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description deleted */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description a malformed schedule id (`invalid_schedule_id`) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a missing or wrong API token (`unauthorized`) */
            401: {
                headers: {
                    "WWW-Authenticate": components["headers"]["WWW-Authenticate"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a browser request from a foreign origin (`origin_not_allowed`), or, on a local stack without tokens, a request addressed to a host name that is not loopback (`host_not_allowed`) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such schedule (`schedule_not_found`) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description an unexpected error (`internal_error`), or a job record that cannot be read */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the job store, the queue or the token store does not answer */
            503: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    patchApiSchedulesId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "paused": true
                 *     }
                 */
                "application/json": {
                    /**
                     * @description run the fire times missed while the stack was down (otherwise they are counted in `missed`)
                     * @default false
                     */
                    catchUp?: boolean;
                    /** @description the concurrency key of its jobs; null: none */
                    concurrencyKey?: string | null;
                    /**
                     * @description five fields: minute hour day-of-month month day-of-week, such as "*\/5 * * * *"
                     * @example *\/5 * * * *
                     */
                    cron?: string;
                    /** @description the input of each job, as the task’s schema takes it */
                    input?: {
                        [key: string]: unknown;
                    };
                    /**
                     * @description `skip`: no job for a fire time whose previous run has not finished
                     * @default skip
                     * @enum {unknown}
                     */
                    overlap?: "skip" | "allow";
                    /**
                     * @description a paused schedule fires nothing
                     * @default false
                     */
                    paused?: boolean;
                    /**
                     * @description the IANA time zone the cron is read in
                     * @default UTC
                     */
                    timezone?: string;
                };
            };
        };
        responses: {
            /** @description changed */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Schedule"];
                };
            };
            /** @description a malformed id or a field that cannot be (`invalid_schedule`, `invalid_input`) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a missing or wrong API token (`unauthorized`) */
            401: {
                headers: {
                    "WWW-Authenticate": components["headers"]["WWW-Authenticate"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a browser request from a foreign origin (`origin_not_allowed`), or, on a local stack without tokens, a request addressed to a host name that is not loopback (`host_not_allowed`) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description no such schedule (`schedule_not_found`) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a body over the limit (`body_too_large`) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a content type other than application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description an unexpected error (`internal_error`), or a job record that cannot be read */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the job store, the queue or the token store does not answer */
            503: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getApiSystemInfo: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the service */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SystemInfo"];
                };
            };
            /** @description a missing or wrong API token (`unauthorized`) */
            401: {
                headers: {
                    "WWW-Authenticate": components["headers"]["WWW-Authenticate"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a browser request from a foreign origin (`origin_not_allowed`), or, on a local stack without tokens, a request addressed to a host name that is not loopback (`host_not_allowed`) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description an unexpected error (`internal_error`), or a job record that cannot be read */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the job store, the queue or the token store does not answer */
            503: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getApiTasks: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description every task */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TaskList"];
                };
            };
            /** @description a missing or wrong API token (`unauthorized`) */
            401: {
                headers: {
                    "WWW-Authenticate": components["headers"]["WWW-Authenticate"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a browser request from a foreign origin (`origin_not_allowed`), or, on a local stack without tokens, a request addressed to a host name that is not loopback (`host_not_allowed`) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description an unexpected error (`internal_error`), or a job record that cannot be read */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the job store, the queue or the token store does not answer */
            503: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    submitBase64: {
        parameters: {
            query?: {
                /** @description answer as soon as the job is final, or after this many seconds (0-25) */
                wait?: number;
            };
            header?: {
                /** @description a repeated request with the same key answers with the first one’s job (1-255 characters) */
                "Idempotency-Key"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "input": {
                 *         "text": "hello"
                 *       }
                 *     }
                 */
                "application/json": {
                    /** @description POST the job, signed (`Spawn-Queue-Signature`), to this URL once it is final */
                    callback?: {
                        /** Format: uri */
                        url: string;
                    };
                    /** @description who the job belongs to (a tenant, a user): the slots are shared fairly by key, and the task’s `concurrency.perKey` bounds how many of one key run at once */
                    concurrencyKey?: string;
                    /**
                     * Format: date-time
                     * @description finish by this time: a submit whose ETA finishes later is refused (422 `deadline_unreachable`, with the ETA) and nothing is queued
                     */
                    deadline?: string;
                    /** @description run it no earlier than this many seconds from now (the job is `scheduled` until then) */
                    delaySeconds?: number;
                    input?: {
                        text: string;
                    };
                    /**
                     * Format: date-time
                     * @description run it no earlier than this time, at most 24 hours ahead (not with delaySeconds)
                     */
                    runAt?: string;
                    /**
                     * Format: date-time
                     * @description not started by this time, the job ends `expired` and never runs (later than now and than runAt)
                     */
                    startBy?: string;
                };
            };
        };
        responses: {
            /** @description with `?wait`: the job, final within the wait */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Job"];
                };
            };
            /** @description queued */
            202: {
                headers: {
                    "Idempotent-Replayed": components["headers"]["Idempotent-Replayed"];
                    Location: components["headers"]["Location"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobAccepted"];
                };
            };
            /** @description not JSON, not `{ "input": {...} }`, input the schema refuses, a bad query, delay or callback (`invalid_callback`, `callbacks_unavailable`) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a missing or wrong API token (`unauthorized`) */
            401: {
                headers: {
                    "WWW-Authenticate": components["headers"]["WWW-Authenticate"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a browser request from a foreign origin (`origin_not_allowed`), or, on a local stack without tokens, a request addressed to a host name that is not loopback (`host_not_allowed`) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description an Idempotency-Key used before for another task or input */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a body over the limit (`body_too_large`) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a content type other than application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the ETA finishes after the deadline (`deadline_unreachable`): nothing was queued */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DeadlineUnreachable"];
                };
            };
            /** @description the queue holds the most jobs it takes (`queue_full`) */
            429: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description an unexpected error (`internal_error`), or a job record that cannot be read */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the store or the queue does not answer, or the task cannot run here */
            503: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the job store’s disk is full (`store_full`) */
            507: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    submitEcho: {
        parameters: {
            query?: {
                /** @description answer as soon as the job is final, or after this many seconds (0-25) */
                wait?: number;
            };
            header?: {
                /** @description a repeated request with the same key answers with the first one’s job (1-255 characters) */
                "Idempotency-Key"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "input": {
                 *         "text": "hello"
                 *       }
                 *     }
                 */
                "application/json": {
                    /** @description POST the job, signed (`Spawn-Queue-Signature`), to this URL once it is final */
                    callback?: {
                        /** Format: uri */
                        url: string;
                    };
                    /** @description who the job belongs to (a tenant, a user): the slots are shared fairly by key, and the task’s `concurrency.perKey` bounds how many of one key run at once */
                    concurrencyKey?: string;
                    /**
                     * Format: date-time
                     * @description finish by this time: a submit whose ETA finishes later is refused (422 `deadline_unreachable`, with the ETA) and nothing is queued
                     */
                    deadline?: string;
                    /** @description run it no earlier than this many seconds from now (the job is `scheduled` until then) */
                    delaySeconds?: number;
                    input?: {
                        text: string;
                    };
                    /**
                     * Format: date-time
                     * @description run it no earlier than this time, at most 24 hours ahead (not with delaySeconds)
                     */
                    runAt?: string;
                    /**
                     * Format: date-time
                     * @description not started by this time, the job ends `expired` and never runs (later than now and than runAt)
                     */
                    startBy?: string;
                };
            };
        };
        responses: {
            /** @description with `?wait`: the job, final within the wait */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Job"];
                };
            };
            /** @description queued */
            202: {
                headers: {
                    "Idempotent-Replayed": components["headers"]["Idempotent-Replayed"];
                    Location: components["headers"]["Location"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobAccepted"];
                };
            };
            /** @description not JSON, not `{ "input": {...} }`, input the schema refuses, a bad query, delay or callback (`invalid_callback`, `callbacks_unavailable`) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a missing or wrong API token (`unauthorized`) */
            401: {
                headers: {
                    "WWW-Authenticate": components["headers"]["WWW-Authenticate"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a browser request from a foreign origin (`origin_not_allowed`), or, on a local stack without tokens, a request addressed to a host name that is not loopback (`host_not_allowed`) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description an Idempotency-Key used before for another task or input */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a body over the limit (`body_too_large`) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a content type other than application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the ETA finishes after the deadline (`deadline_unreachable`): nothing was queued */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DeadlineUnreachable"];
                };
            };
            /** @description the queue holds the most jobs it takes (`queue_full`) */
            429: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description an unexpected error (`internal_error`), or a job record that cannot be read */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the store or the queue does not answer, or the task cannot run here */
            503: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the job store’s disk is full (`store_full`) */
            507: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    submitFail: {
        parameters: {
            query?: {
                /** @description answer as soon as the job is final, or after this many seconds (0-25) */
                wait?: number;
            };
            header?: {
                /** @description a repeated request with the same key answers with the first one’s job (1-255 characters) */
                "Idempotency-Key"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "input": {
                 *         "code": 1
                 *       }
                 *     }
                 */
                "application/json": {
                    /** @description POST the job, signed (`Spawn-Queue-Signature`), to this URL once it is final */
                    callback?: {
                        /** Format: uri */
                        url: string;
                    };
                    /** @description who the job belongs to (a tenant, a user): the slots are shared fairly by key, and the task’s `concurrency.perKey` bounds how many of one key run at once */
                    concurrencyKey?: string;
                    /**
                     * Format: date-time
                     * @description finish by this time: a submit whose ETA finishes later is refused (422 `deadline_unreachable`, with the ETA) and nothing is queued
                     */
                    deadline?: string;
                    /** @description run it no earlier than this many seconds from now (the job is `scheduled` until then) */
                    delaySeconds?: number;
                    input?: {
                        code: number;
                    };
                    /**
                     * Format: date-time
                     * @description run it no earlier than this time, at most 24 hours ahead (not with delaySeconds)
                     */
                    runAt?: string;
                    /**
                     * Format: date-time
                     * @description not started by this time, the job ends `expired` and never runs (later than now and than runAt)
                     */
                    startBy?: string;
                };
            };
        };
        responses: {
            /** @description with `?wait`: the job, final within the wait */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Job"];
                };
            };
            /** @description queued */
            202: {
                headers: {
                    "Idempotent-Replayed": components["headers"]["Idempotent-Replayed"];
                    Location: components["headers"]["Location"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobAccepted"];
                };
            };
            /** @description not JSON, not `{ "input": {...} }`, input the schema refuses, a bad query, delay or callback (`invalid_callback`, `callbacks_unavailable`) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a missing or wrong API token (`unauthorized`) */
            401: {
                headers: {
                    "WWW-Authenticate": components["headers"]["WWW-Authenticate"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a browser request from a foreign origin (`origin_not_allowed`), or, on a local stack without tokens, a request addressed to a host name that is not loopback (`host_not_allowed`) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description an Idempotency-Key used before for another task or input */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a body over the limit (`body_too_large`) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a content type other than application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the ETA finishes after the deadline (`deadline_unreachable`): nothing was queued */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DeadlineUnreachable"];
                };
            };
            /** @description the queue holds the most jobs it takes (`queue_full`) */
            429: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description an unexpected error (`internal_error`), or a job record that cannot be read */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the store or the queue does not answer, or the task cannot run here */
            503: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the job store’s disk is full (`store_full`) */
            507: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "submitKernel-info": {
        parameters: {
            query?: {
                /** @description answer as soon as the job is final, or after this many seconds (0-25) */
                wait?: number;
            };
            header?: {
                /** @description a repeated request with the same key answers with the first one’s job (1-255 characters) */
                "Idempotency-Key"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "input": {}
                 *     }
                 */
                "application/json": {
                    /** @description POST the job, signed (`Spawn-Queue-Signature`), to this URL once it is final */
                    callback?: {
                        /** Format: uri */
                        url: string;
                    };
                    /** @description who the job belongs to (a tenant, a user): the slots are shared fairly by key, and the task’s `concurrency.perKey` bounds how many of one key run at once */
                    concurrencyKey?: string;
                    /**
                     * Format: date-time
                     * @description finish by this time: a submit whose ETA finishes later is refused (422 `deadline_unreachable`, with the ETA) and nothing is queued
                     */
                    deadline?: string;
                    /** @description run it no earlier than this many seconds from now (the job is `scheduled` until then) */
                    delaySeconds?: number;
                    input?: Record<string, never>;
                    /**
                     * Format: date-time
                     * @description run it no earlier than this time, at most 24 hours ahead (not with delaySeconds)
                     */
                    runAt?: string;
                    /**
                     * Format: date-time
                     * @description not started by this time, the job ends `expired` and never runs (later than now and than runAt)
                     */
                    startBy?: string;
                };
            };
        };
        responses: {
            /** @description with `?wait`: the job, final within the wait */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Job"];
                };
            };
            /** @description queued */
            202: {
                headers: {
                    "Idempotent-Replayed": components["headers"]["Idempotent-Replayed"];
                    Location: components["headers"]["Location"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobAccepted"];
                };
            };
            /** @description not JSON, not `{ "input": {...} }`, input the schema refuses, a bad query, delay or callback (`invalid_callback`, `callbacks_unavailable`) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a missing or wrong API token (`unauthorized`) */
            401: {
                headers: {
                    "WWW-Authenticate": components["headers"]["WWW-Authenticate"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a browser request from a foreign origin (`origin_not_allowed`), or, on a local stack without tokens, a request addressed to a host name that is not loopback (`host_not_allowed`) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description an Idempotency-Key used before for another task or input */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a body over the limit (`body_too_large`) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a content type other than application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the ETA finishes after the deadline (`deadline_unreachable`): nothing was queued */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DeadlineUnreachable"];
                };
            };
            /** @description the queue holds the most jobs it takes (`queue_full`) */
            429: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description an unexpected error (`internal_error`), or a job record that cannot be read */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the store or the queue does not answer, or the task cannot run here */
            503: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the job store’s disk is full (`store_full`) */
            507: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    submitSha256: {
        parameters: {
            query?: {
                /** @description answer as soon as the job is final, or after this many seconds (0-25) */
                wait?: number;
            };
            header?: {
                /** @description a repeated request with the same key answers with the first one’s job (1-255 characters) */
                "Idempotency-Key"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "input": {
                 *         "text": "hello"
                 *       }
                 *     }
                 */
                "application/json": {
                    /** @description POST the job, signed (`Spawn-Queue-Signature`), to this URL once it is final */
                    callback?: {
                        /** Format: uri */
                        url: string;
                    };
                    /** @description who the job belongs to (a tenant, a user): the slots are shared fairly by key, and the task’s `concurrency.perKey` bounds how many of one key run at once */
                    concurrencyKey?: string;
                    /**
                     * Format: date-time
                     * @description finish by this time: a submit whose ETA finishes later is refused (422 `deadline_unreachable`, with the ETA) and nothing is queued
                     */
                    deadline?: string;
                    /** @description run it no earlier than this many seconds from now (the job is `scheduled` until then) */
                    delaySeconds?: number;
                    input?: {
                        text: string;
                    };
                    /**
                     * Format: date-time
                     * @description run it no earlier than this time, at most 24 hours ahead (not with delaySeconds)
                     */
                    runAt?: string;
                    /**
                     * Format: date-time
                     * @description not started by this time, the job ends `expired` and never runs (later than now and than runAt)
                     */
                    startBy?: string;
                };
            };
        };
        responses: {
            /** @description with `?wait`: the job, final within the wait */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Job"];
                };
            };
            /** @description queued */
            202: {
                headers: {
                    "Idempotent-Replayed": components["headers"]["Idempotent-Replayed"];
                    Location: components["headers"]["Location"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobAccepted"];
                };
            };
            /** @description not JSON, not `{ "input": {...} }`, input the schema refuses, a bad query, delay or callback (`invalid_callback`, `callbacks_unavailable`) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a missing or wrong API token (`unauthorized`) */
            401: {
                headers: {
                    "WWW-Authenticate": components["headers"]["WWW-Authenticate"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a browser request from a foreign origin (`origin_not_allowed`), or, on a local stack without tokens, a request addressed to a host name that is not loopback (`host_not_allowed`) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description an Idempotency-Key used before for another task or input */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a body over the limit (`body_too_large`) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a content type other than application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the ETA finishes after the deadline (`deadline_unreachable`): nothing was queued */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DeadlineUnreachable"];
                };
            };
            /** @description the queue holds the most jobs it takes (`queue_full`) */
            429: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description an unexpected error (`internal_error`), or a job record that cannot be read */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the store or the queue does not answer, or the task cannot run here */
            503: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the job store’s disk is full (`store_full`) */
            507: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    submitSleep: {
        parameters: {
            query?: {
                /** @description answer as soon as the job is final, or after this many seconds (0-25) */
                wait?: number;
            };
            header?: {
                /** @description a repeated request with the same key answers with the first one’s job (1-255 characters) */
                "Idempotency-Key"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "input": {
                 *         "seconds": 0
                 *       }
                 *     }
                 */
                "application/json": {
                    /** @description POST the job, signed (`Spawn-Queue-Signature`), to this URL once it is final */
                    callback?: {
                        /** Format: uri */
                        url: string;
                    };
                    /** @description who the job belongs to (a tenant, a user): the slots are shared fairly by key, and the task’s `concurrency.perKey` bounds how many of one key run at once */
                    concurrencyKey?: string;
                    /**
                     * Format: date-time
                     * @description finish by this time: a submit whose ETA finishes later is refused (422 `deadline_unreachable`, with the ETA) and nothing is queued
                     */
                    deadline?: string;
                    /** @description run it no earlier than this many seconds from now (the job is `scheduled` until then) */
                    delaySeconds?: number;
                    input?: {
                        seconds: number;
                    };
                    /**
                     * Format: date-time
                     * @description run it no earlier than this time, at most 24 hours ahead (not with delaySeconds)
                     */
                    runAt?: string;
                    /**
                     * Format: date-time
                     * @description not started by this time, the job ends `expired` and never runs (later than now and than runAt)
                     */
                    startBy?: string;
                };
            };
        };
        responses: {
            /** @description with `?wait`: the job, final within the wait */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Job"];
                };
            };
            /** @description queued */
            202: {
                headers: {
                    "Idempotent-Replayed": components["headers"]["Idempotent-Replayed"];
                    Location: components["headers"]["Location"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobAccepted"];
                };
            };
            /** @description not JSON, not `{ "input": {...} }`, input the schema refuses, a bad query, delay or callback (`invalid_callback`, `callbacks_unavailable`) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a missing or wrong API token (`unauthorized`) */
            401: {
                headers: {
                    "WWW-Authenticate": components["headers"]["WWW-Authenticate"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a browser request from a foreign origin (`origin_not_allowed`), or, on a local stack without tokens, a request addressed to a host name that is not loopback (`host_not_allowed`) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description an Idempotency-Key used before for another task or input */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a body over the limit (`body_too_large`) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a content type other than application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the ETA finishes after the deadline (`deadline_unreachable`): nothing was queued */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DeadlineUnreachable"];
                };
            };
            /** @description the queue holds the most jobs it takes (`queue_full`) */
            429: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description an unexpected error (`internal_error`), or a job record that cannot be read */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the store or the queue does not answer, or the task cannot run here */
            503: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the job store’s disk is full (`store_full`) */
            507: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "submitSort-lines": {
        parameters: {
            query?: {
                /** @description answer as soon as the job is final, or after this many seconds (0-25) */
                wait?: number;
            };
            header?: {
                /** @description a repeated request with the same key answers with the first one’s job (1-255 characters) */
                "Idempotency-Key"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "input": {
                 *         "text": "hello"
                 *       }
                 *     }
                 */
                "application/json": {
                    /** @description POST the job, signed (`Spawn-Queue-Signature`), to this URL once it is final */
                    callback?: {
                        /** Format: uri */
                        url: string;
                    };
                    /** @description who the job belongs to (a tenant, a user): the slots are shared fairly by key, and the task’s `concurrency.perKey` bounds how many of one key run at once */
                    concurrencyKey?: string;
                    /**
                     * Format: date-time
                     * @description finish by this time: a submit whose ETA finishes later is refused (422 `deadline_unreachable`, with the ETA) and nothing is queued
                     */
                    deadline?: string;
                    /** @description run it no earlier than this many seconds from now (the job is `scheduled` until then) */
                    delaySeconds?: number;
                    input?: {
                        reverse?: boolean;
                        text: string;
                        unique?: boolean;
                    };
                    /**
                     * Format: date-time
                     * @description run it no earlier than this time, at most 24 hours ahead (not with delaySeconds)
                     */
                    runAt?: string;
                    /**
                     * Format: date-time
                     * @description not started by this time, the job ends `expired` and never runs (later than now and than runAt)
                     */
                    startBy?: string;
                };
            };
        };
        responses: {
            /** @description with `?wait`: the job, final within the wait */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Job"];
                };
            };
            /** @description queued */
            202: {
                headers: {
                    "Idempotent-Replayed": components["headers"]["Idempotent-Replayed"];
                    Location: components["headers"]["Location"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobAccepted"];
                };
            };
            /** @description not JSON, not `{ "input": {...} }`, input the schema refuses, a bad query, delay or callback (`invalid_callback`, `callbacks_unavailable`) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a missing or wrong API token (`unauthorized`) */
            401: {
                headers: {
                    "WWW-Authenticate": components["headers"]["WWW-Authenticate"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a browser request from a foreign origin (`origin_not_allowed`), or, on a local stack without tokens, a request addressed to a host name that is not loopback (`host_not_allowed`) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description an Idempotency-Key used before for another task or input */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a body over the limit (`body_too_large`) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a content type other than application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the ETA finishes after the deadline (`deadline_unreachable`): nothing was queued */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DeadlineUnreachable"];
                };
            };
            /** @description the queue holds the most jobs it takes (`queue_full`) */
            429: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description an unexpected error (`internal_error`), or a job record that cannot be read */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the store or the queue does not answer, or the task cannot run here */
            503: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the job store’s disk is full (`store_full`) */
            507: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "submitSystem-date": {
        parameters: {
            query?: {
                /** @description answer as soon as the job is final, or after this many seconds (0-25) */
                wait?: number;
            };
            header?: {
                /** @description a repeated request with the same key answers with the first one’s job (1-255 characters) */
                "Idempotency-Key"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "input": {}
                 *     }
                 */
                "application/json": {
                    /** @description POST the job, signed (`Spawn-Queue-Signature`), to this URL once it is final */
                    callback?: {
                        /** Format: uri */
                        url: string;
                    };
                    /** @description who the job belongs to (a tenant, a user): the slots are shared fairly by key, and the task’s `concurrency.perKey` bounds how many of one key run at once */
                    concurrencyKey?: string;
                    /**
                     * Format: date-time
                     * @description finish by this time: a submit whose ETA finishes later is refused (422 `deadline_unreachable`, with the ETA) and nothing is queued
                     */
                    deadline?: string;
                    /** @description run it no earlier than this many seconds from now (the job is `scheduled` until then) */
                    delaySeconds?: number;
                    input?: Record<string, never>;
                    /**
                     * Format: date-time
                     * @description run it no earlier than this time, at most 24 hours ahead (not with delaySeconds)
                     */
                    runAt?: string;
                    /**
                     * Format: date-time
                     * @description not started by this time, the job ends `expired` and never runs (later than now and than runAt)
                     */
                    startBy?: string;
                };
            };
        };
        responses: {
            /** @description with `?wait`: the job, final within the wait */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Job"];
                };
            };
            /** @description queued */
            202: {
                headers: {
                    "Idempotent-Replayed": components["headers"]["Idempotent-Replayed"];
                    Location: components["headers"]["Location"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobAccepted"];
                };
            };
            /** @description not JSON, not `{ "input": {...} }`, input the schema refuses, a bad query, delay or callback (`invalid_callback`, `callbacks_unavailable`) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a missing or wrong API token (`unauthorized`) */
            401: {
                headers: {
                    "WWW-Authenticate": components["headers"]["WWW-Authenticate"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a browser request from a foreign origin (`origin_not_allowed`), or, on a local stack without tokens, a request addressed to a host name that is not loopback (`host_not_allowed`) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description an Idempotency-Key used before for another task or input */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a body over the limit (`body_too_large`) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a content type other than application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the ETA finishes after the deadline (`deadline_unreachable`): nothing was queued */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DeadlineUnreachable"];
                };
            };
            /** @description the queue holds the most jobs it takes (`queue_full`) */
            429: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description an unexpected error (`internal_error`), or a job record that cannot be read */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the store or the queue does not answer, or the task cannot run here */
            503: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the job store’s disk is full (`store_full`) */
            507: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    submitTicker: {
        parameters: {
            query?: {
                /** @description answer as soon as the job is final, or after this many seconds (0-25) */
                wait?: number;
            };
            header?: {
                /** @description a repeated request with the same key answers with the first one’s job (1-255 characters) */
                "Idempotency-Key"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "input": {
                 *         "lines": 1,
                 *         "intervalMs": 10
                 *       }
                 *     }
                 */
                "application/json": {
                    /** @description POST the job, signed (`Spawn-Queue-Signature`), to this URL once it is final */
                    callback?: {
                        /** Format: uri */
                        url: string;
                    };
                    /** @description who the job belongs to (a tenant, a user): the slots are shared fairly by key, and the task’s `concurrency.perKey` bounds how many of one key run at once */
                    concurrencyKey?: string;
                    /**
                     * Format: date-time
                     * @description finish by this time: a submit whose ETA finishes later is refused (422 `deadline_unreachable`, with the ETA) and nothing is queued
                     */
                    deadline?: string;
                    /** @description run it no earlier than this many seconds from now (the job is `scheduled` until then) */
                    delaySeconds?: number;
                    input?: {
                        intervalMs: number;
                        lines: number;
                    };
                    /**
                     * Format: date-time
                     * @description run it no earlier than this time, at most 24 hours ahead (not with delaySeconds)
                     */
                    runAt?: string;
                    /**
                     * Format: date-time
                     * @description not started by this time, the job ends `expired` and never runs (later than now and than runAt)
                     */
                    startBy?: string;
                };
            };
        };
        responses: {
            /** @description with `?wait`: the job, final within the wait */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Job"];
                };
            };
            /** @description queued */
            202: {
                headers: {
                    "Idempotent-Replayed": components["headers"]["Idempotent-Replayed"];
                    Location: components["headers"]["Location"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobAccepted"];
                };
            };
            /** @description not JSON, not `{ "input": {...} }`, input the schema refuses, a bad query, delay or callback (`invalid_callback`, `callbacks_unavailable`) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a missing or wrong API token (`unauthorized`) */
            401: {
                headers: {
                    "WWW-Authenticate": components["headers"]["WWW-Authenticate"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a browser request from a foreign origin (`origin_not_allowed`), or, on a local stack without tokens, a request addressed to a host name that is not loopback (`host_not_allowed`) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description an Idempotency-Key used before for another task or input */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a body over the limit (`body_too_large`) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a content type other than application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the ETA finishes after the deadline (`deadline_unreachable`): nothing was queued */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DeadlineUnreachable"];
                };
            };
            /** @description the queue holds the most jobs it takes (`queue_full`) */
            429: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description an unexpected error (`internal_error`), or a job record that cannot be read */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the store or the queue does not answer, or the task cannot run here */
            503: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the job store’s disk is full (`store_full`) */
            507: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    "submitWord-count": {
        parameters: {
            query?: {
                /** @description answer as soon as the job is final, or after this many seconds (0-25) */
                wait?: number;
            };
            header?: {
                /** @description a repeated request with the same key answers with the first one’s job (1-255 characters) */
                "Idempotency-Key"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "input": {
                 *         "text": "hello"
                 *       }
                 *     }
                 */
                "application/json": {
                    /** @description POST the job, signed (`Spawn-Queue-Signature`), to this URL once it is final */
                    callback?: {
                        /** Format: uri */
                        url: string;
                    };
                    /** @description who the job belongs to (a tenant, a user): the slots are shared fairly by key, and the task’s `concurrency.perKey` bounds how many of one key run at once */
                    concurrencyKey?: string;
                    /**
                     * Format: date-time
                     * @description finish by this time: a submit whose ETA finishes later is refused (422 `deadline_unreachable`, with the ETA) and nothing is queued
                     */
                    deadline?: string;
                    /** @description run it no earlier than this many seconds from now (the job is `scheduled` until then) */
                    delaySeconds?: number;
                    input?: {
                        text: string;
                    };
                    /**
                     * Format: date-time
                     * @description run it no earlier than this time, at most 24 hours ahead (not with delaySeconds)
                     */
                    runAt?: string;
                    /**
                     * Format: date-time
                     * @description not started by this time, the job ends `expired` and never runs (later than now and than runAt)
                     */
                    startBy?: string;
                };
            };
        };
        responses: {
            /** @description with `?wait`: the job, final within the wait */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Job"];
                };
            };
            /** @description queued */
            202: {
                headers: {
                    "Idempotent-Replayed": components["headers"]["Idempotent-Replayed"];
                    Location: components["headers"]["Location"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobAccepted"];
                };
            };
            /** @description not JSON, not `{ "input": {...} }`, input the schema refuses, a bad query, delay or callback (`invalid_callback`, `callbacks_unavailable`) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a missing or wrong API token (`unauthorized`) */
            401: {
                headers: {
                    "WWW-Authenticate": components["headers"]["WWW-Authenticate"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a browser request from a foreign origin (`origin_not_allowed`), or, on a local stack without tokens, a request addressed to a host name that is not loopback (`host_not_allowed`) */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description an Idempotency-Key used before for another task or input */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a body over the limit (`body_too_large`) */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description a content type other than application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the ETA finishes after the deadline (`deadline_unreachable`): nothing was queued */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DeadlineUnreachable"];
                };
            };
            /** @description the queue holds the most jobs it takes (`queue_full`) */
            429: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description an unexpected error (`internal_error`), or a job record that cannot be read */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the store or the queue does not answer, or the task cannot run here */
            503: {
                headers: {
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description the job store’s disk is full (`store_full`) */
            507: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getDashboard: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the page */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/html": string;
                };
            };
            /** @description an unexpected error (`internal_error`), or a job record that cannot be read */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
}
