/**
 * `npx spawn-queue <command>`: the API from a terminal or a script, through the typed client
 * (client/index.ts). For people on a terminal (a live line while it waits, colours), `--json` for
 * scripts. Exit codes: see EXIT below and `spawn-queue --help`.
 */
import { parseArgs } from 'node:util';
import { createClient, isFinal, SpawnQueueError } from '../client';
import type { Job, JobAccepted, JobStatus, Schedule, SpawnQueueClient } from '../client';

/** What `submit --wait` and the other commands exit with, besides a job's own exit code. */
export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 64, // EX_USAGE
  unreachable: 69, // EX_UNAVAILABLE
  unauthorized: 77, // EX_NOPERM
  timedOut: 124, // as timeout(1)
  cancelled: 130, // as a process stopped by Ctrl-C
} as const;

const HELP: Record<string, string> = {
  '': `spawn-queue <command> [options]

Commands:
  tasks                                  the catalogue: what may run and the input each takes
  submit <task> [--input JSON | --<field> value ...] [--wait] [--follow] [--delay s | --at time]
         [--start-by time] [--deadline time] [--concurrency-key k]
                                         submit a job (it prints its ETA); --wait waits for it and
                                         exits with its exit code
  get <id>                               a job
  ls [--status s] [--concurrency-key k] [--limit n]
                                         jobs, newest first
  cancel <id>                            cancel a job
  retry <id>                             run a failed, timed out or cancelled job again
  logs [-f] <id>                         a job's output (-f: as it is written, until the job ends)
  stats [--watch]                        queue depth, slots, throughput
  redrive                                move the dead-letter queue's messages back
  schedule add <task> --cron "m h dom mon dow" [--tz zone] [--input JSON | --<field> value ...]
  schedule ls | get <id> | pause <id> | resume <id> | rm <id>
                                         cron schedules: a job of the task at each fire time

Options: --url (SPAWN_QUEUE_URL, default http://localhost:5000), --token (SPAWN_QUEUE_TOKEN),
         --json (machine output), --help.
Exit codes: 0 done, the job's exit code (submit --wait), 1 failed or refused, 64 usage,
            69 unreachable, 77 unauthorized, 124 timed out, 130 cancelled.`,
  tasks: 'spawn-queue tasks [--json]\n  The catalogue: each task, whether it can run here, and its input.',
  submit: `spawn-queue submit <task> [--input JSON | --<field> value ...] [--wait] [--follow]
                 [--delay seconds | --at time] [--start-by time] [--deadline time]
                 [--concurrency-key k] [--json]
  Submits a job. Input fields come from --input '{"text":"hi"}' or one --<field> value each
  (a value that reads as JSON, such as 3 or true, is taken as such).
  --delay   run it no earlier than this many seconds from now (at most 86400); --at: at this ISO time
  --start-by  not started by this ISO time, it ends expired and never runs
  --deadline  finish by this ISO time, or the submit is refused (exit 1, with the ETA)
  --concurrency-key  who the job belongs to: the slots are shared fairly by key, and the task's
            concurrency.perKey bounds how many jobs of one key run at once
  --wait    wait until it ends; print its output; exit with its exit code (124 timed out, 130 cancelled)
  --follow  the same, printing its output as it is written`,
  get: 'spawn-queue get <id> [--json]\n  A job: status, attempts, exit code and output.',
  ls: 'spawn-queue ls [--status s] [--concurrency-key k] [--limit n] [--json]\n  Jobs, newest first (default 20); of one status, of one concurrency key.',
  cancel:
    'spawn-queue cancel <id> [--json]\n  Cancels a job: a queued one never runs, a running one is stopped.',
  retry:
    'spawn-queue retry <id> [--json]\n  Runs a failed, timed out or cancelled job again, as its next attempt.',
  logs: 'spawn-queue logs [-f] <id>\n  Prints a job’s stdout and stderr; -f prints them as they are written, until the job ends.',
  schedule: `spawn-queue schedule add <task> --cron "m h dom mon dow" [--tz zone] [--overlap skip|allow]
                    [--catch-up] [--paused] [--concurrency-key k] [--input JSON | --<field> value ...]
       spawn-queue schedule ls | get <id> | pause <id> | resume <id> | rm <id> [--json]
  Cron schedules: add makes a job of the task at each fire time of the cron expression (five fields,
  in --tz, UTC by default; it prints the next fire time). --overlap allow makes a job even while the
  previous one runs (default: skip that fire time); --catch-up runs fire times missed while the
  stack was down. ls lists them with their next fire time; rm deletes one (its jobs stay).`,
  stats:
    'spawn-queue stats [--watch] [--json]\n  Queue depth, busy slots, throughput; --watch redraws every 2 s.',
  redrive: 'spawn-queue redrive [--json]\n  Moves the dead-letter queue’s messages back to the jobs queue.',
};

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  /** Whether stderr is a terminal: live lines and colours only then. */
  tty: boolean;
  env: NodeJS.ProcessEnv;
}

const defaultIo = (): Io => ({
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  tty: Boolean(process.stderr.isTTY) && !process.env.NO_COLOR,
  env: process.env,
});

class UsageError extends Error {}

const STATUS_COLOURS: Partial<Record<JobStatus, number>> = {
  succeeded: 32,
  failed: 31,
  timed_out: 33,
  cancelled: 90,
  expired: 90,
  running: 36,
  scheduled: 35,
};

const OPTIONS = {
  url: { type: 'string' },
  token: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  wait: { type: 'boolean' },
  follow: { type: 'boolean', short: 'f' },
  watch: { type: 'boolean' },
  input: { type: 'string' },
  status: { type: 'string' },
  limit: { type: 'string' },
  delay: { type: 'string' },
  at: { type: 'string' },
  'start-by': { type: 'string' },
  deadline: { type: 'string' },
  'concurrency-key': { type: 'string' },
  cron: { type: 'string' },
  tz: { type: 'string' },
  overlap: { type: 'string' },
  'catch-up': { type: 'boolean' },
  paused: { type: 'boolean' },
} as const;

/**
 * Splits the command line into the CLI's own options and the task's input fields: any `--<name>`
 * that is not one of OPTIONS is a field of the input, and takes the argument after it (or
 * `--<name>=value`).
 */
function splitArgs(argv: string[]): { own: string[]; fields: Array<[string, string]> } {
  const flag = (arg: string) => {
    const name = arg.startsWith('--') ? arg.slice(2).split('=')[0]! : undefined;
    const short =
      !arg.startsWith('--') && arg.length === 2
        ? Object.entries(OPTIONS).find(([, o]) => 'short' in o && `-${o.short}` === arg)
        : undefined;
    return name !== undefined ? (name in OPTIONS ? name : undefined) : short?.[0];
  };
  const own: string[] = [];
  const fields: Array<[string, string]> = [];
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    if (!arg.startsWith('-') || arg === '-') own.push(arg);
    else if (flag(arg)) own.push(arg);
    else if (arg.startsWith('--') && arg.length > 2) {
      const [name, ...value] = arg.slice(2).split('=');
      if (value.length > 0) fields.push([name!, value.join('=')]);
      else if (i + 1 < argv.length) fields.push([name!, argv[++i]!]);
      else throw new UsageError(`--${name} needs a value`);
    } else throw new UsageError(`unknown option ${arg}`);
  }
  return { own, fields };
}

/** A task's input from --input JSON or from its fields; a value that parses as JSON is taken as such. */
function inputFrom(fields: Array<[string, string]>, json: string | undefined): Record<string, unknown> {
  if (json !== undefined) {
    try {
      const parsed = JSON.parse(json) as unknown;
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
        return parsed as Record<string, unknown>;
    } catch {
      // answered below
    }
    throw new UsageError('--input must be a JSON object, such as \'{"text":"hi"}\'');
  }
  const input: Record<string, unknown> = {};
  for (const [name, value] of fields) {
    let parsed: unknown = value;
    try {
      parsed = JSON.parse(value);
    } catch {
      // plain text
    }
    input[name] = parsed;
  }
  return input;
}

/** What a job used: `used 12 ms CPU, 4.1 MB peak memory, 1 process started (the whole job)`. */
/** The busiest concurrency keys of the stats, when any key has live jobs. */
function keysLine(keys: Array<{ concurrencyKey: string; running: number; queued: number }>, count: number) {
  if (count === 0) return '';
  const shown = keys.slice(0, 5).map((k) => `${k.concurrencyKey} ${k.running} running/${k.queued} queued`);
  return `\nkeys (${count}): ${shown.join(', ')}${count > shown.length ? ', ...' : ''}`;
}

function usageLine(usage: NonNullable<Job['usage']>): string {
  const mb = (usage.peakMemoryBytes / (1024 * 1024)).toFixed(1);
  const processes = `${usage.processes} process${usage.processes === 1 ? '' : 'es'}`;
  const scope = usage.scope === 'job' ? 'the whole job' : 'its first process';
  return `used ${usage.cpuMs} ms CPU, ${mb} MB peak memory, ${processes} started (${scope})`;
}

/** A waiting job's ETA: `eta: starts 12:00:03, done 12:00:04 (in 4 s)`. */
function etaLine(eta: { startAt: string; finishAt: string }): string {
  const clock = (iso: string) => new Date(iso).toISOString().slice(11, 19);
  const inSeconds = Math.max(0, Math.round((Date.parse(eta.finishAt) - Date.now()) / 1000));
  return `eta: starts ${clock(eta.startAt)}, done ${clock(eta.finishAt)} (in ${inSeconds} s, UTC)`;
}

function exitCodeOf(job: Job): number {
  if (job.status === 'succeeded') return EXIT.ok;
  if (job.status === 'timed_out') return EXIT.timedOut;
  if (job.status === 'cancelled') return EXIT.cancelled;
  return job.exitCode && job.exitCode > 0 && job.exitCode < 256 ? job.exitCode : EXIT.failed;
}

export async function main(argv: string[], io: Io = defaultIo()): Promise<number> {
  let split: ReturnType<typeof splitArgs>;
  let parsed: ReturnType<
    typeof parseArgs<{ args: string[]; options: typeof OPTIONS; allowPositionals: true }>
  >;
  try {
    split = splitArgs(argv);
    parsed = parseArgs({ args: split.own, allowPositionals: true, options: OPTIONS });
  } catch (error) {
    io.err(`${(error as Error).message}\n\n${HELP['']}\n`);
    return EXIT.usage;
  }
  const { values, positionals } = parsed;
  const [command = '', ...args] = positionals;
  const paint = (code: number | undefined, text: string) =>
    io.tty && code ? `\x1b[${code}m${text}\x1b[0m` : text;
  const print = (data: unknown, human: () => string) =>
    io.out(values.json ? `${JSON.stringify(data, null, 2)}\n` : `${human()}\n`);
  const jobLine = (job: Job | JobAccepted) =>
    `${job.jobId}  ${paint(STATUS_COLOURS[job.status], job.status)}${'task' in job ? `  ${job.task}` : ''}`;

  if (values.help || !command || !(command in HELP)) {
    if (command && !(command in HELP)) io.err(`unknown command: ${command}\n\n`);
    io.err(`${HELP[values.help && command in HELP ? command : '']}\n`);
    return values.help ? EXIT.ok : EXIT.usage;
  }
  if (command !== 'submit' && command !== 'schedule' && split.fields.length > 0) {
    io.err(`unknown option --${split.fields[0]![0]}\n${HELP[command]}\n`);
    return EXIT.usage;
  }
  const client = createClient({
    url: values.url ?? io.env.SPAWN_QUEUE_URL ?? 'http://localhost:5000',
    token: values.token ?? (io.env.SPAWN_QUEUE_TOKEN || undefined),
  });
  const needId = () => {
    if (!args[0]) throw new UsageError(`${command} needs a job id`);
    return args[0];
  };

  /** Waits for the job, with a live line on a terminal; prints its output once it has ended. */
  async function waitAndReport(c: SpawnQueueClient, id: string): Promise<number> {
    const started = Date.now();
    const showLive = io.tty && !values.json;
    const draw = (job: Job) => {
      const seconds = ((Date.now() - started) / 1000).toFixed(0);
      io.err(`\r\x1b[2K${id}  ${paint(STATUS_COLOURS[job.status], job.status)}  ${seconds} s`);
    };
    // On a terminal only: the state as it changes (a read a second) between the wait's long polls.
    const timer = showLive ? setInterval(() => void c.get(id).then(draw, () => undefined), 1000) : undefined;
    try {
      const job = await c.wait(id, { onUpdate: showLive ? draw : undefined });
      if (showLive) io.err('\r\x1b[2K');
      if (values.json) print(job, () => '');
      else {
        if (job.stdout) io.out(job.stdout);
        if (job.stderr) io.err(job.stderr);
        io.err(endLine(job));
      }
      return exitCodeOf(job);
    } finally {
      clearInterval(timer);
    }
  }

  /** Prints a job's stdout and stderr as they are written, until it has ended; returns the job. */
  async function follow(c: SpawnQueueClient, id: string): Promise<Job> {
    const pump = async (stream: 'stdout' | 'stderr', write: (text: string) => void) => {
      for await (const page of c.output(id, { stream })) write(page.data);
    };
    await Promise.all([pump('stdout', io.out), pump('stderr', io.err)]);
    return c.get(id);
  }

  /** The last line of a finished job: its id, status, task, exit code and error. */
  const endLine = (job: Job) =>
    `${jobLine(job)}${job.exitCode === null ? '' : `  exit ${job.exitCode}`}${job.error ? `  ${job.error}` : ''}\n`;

  try {
    switch (command) {
      case 'tasks': {
        const tasks = await client.tasks();
        print(tasks, () =>
          tasks
            .map((t) => `${t.name.padEnd(12)} ${t.available ? '' : '(unavailable) '}${t.description}`)
            .join('\n'),
        );
        return EXIT.ok;
      }
      case 'submit': {
        const [task, ...extra] = args;
        if (!task) throw new UsageError('submit needs a task name (spawn-queue tasks lists them)');
        if (extra.length > 0)
          throw new UsageError(`unexpected ${extra.join(' ')}: input fields are --<field> value`);
        let delaySeconds: number | undefined;
        if (values.delay !== undefined) {
          delaySeconds = Number(values.delay);
          if (!/^\d+$/.test(values.delay)) throw new UsageError('--delay must be a whole number of seconds');
        }
        const accepted = await client.submit(task, inputFrom(split.fields, values.input), {
          delaySeconds,
          runAt: values.at,
          startBy: values['start-by'],
          deadline: values.deadline,
          concurrencyKey: values['concurrency-key'],
        });
        if (!values.wait && !values.follow) {
          print(
            accepted,
            () =>
              `${jobLine(accepted)}${'eta' in accepted && accepted.eta ? `\n${etaLine(accepted.eta)}` : ''}`,
          );
          return EXIT.ok;
        }
        if (values.follow && !values.json) {
          const job = await follow(client, accepted.jobId);
          io.err(endLine(job));
          return exitCodeOf(job);
        }
        return await waitAndReport(client, accepted.jobId);
      }
      case 'get': {
        const job = await client.get(needId());
        print(job, () =>
          [
            jobLine(job),
            `attempts ${job.attempts}${job.exitCode === null ? '' : `, exit ${job.exitCode}`}${job.error ? `, ${job.error}` : ''}`,
            ...(job.eta ? [etaLine(job.eta)] : []),
            ...(job.startBy ? [`start by ${job.startBy}, or it expires`] : []),
            ...(job.concurrencyKey !== null ? [`concurrency key ${job.concurrencyKey}`] : []),
            ...(job.usage ? [usageLine(job.usage)] : []),
            ...(job.stdout ? [`stdout:\n${job.stdout.trimEnd()}`] : []),
            ...(job.stderr ? [`stderr:\n${job.stderr.trimEnd()}`] : []),
          ].join('\n'),
        );
        return EXIT.ok;
      }
      case 'ls': {
        const limit = values.limit === undefined ? 20 : Number(values.limit);
        if (!Number.isInteger(limit) || limit < 1) throw new UsageError('--limit must be a positive integer');
        const jobs: Job[] = [];
        for await (const job of client.list({
          status: values.status as JobStatus | undefined,
          concurrencyKey: values['concurrency-key'],
          pageSize: Math.min(limit, 100),
        })) {
          jobs.push(job);
          if (jobs.length >= limit) break;
        }
        print(jobs, () => (jobs.length ? jobs.map(jobLine).join('\n') : 'no jobs'));
        return EXIT.ok;
      }
      case 'cancel': {
        const job = await client.cancel(needId());
        print(job, () => jobLine(job));
        return EXIT.ok;
      }
      case 'retry': {
        const job = await client.retry(needId());
        print(job, () => jobLine(job));
        return EXIT.ok;
      }
      case 'logs': {
        const id = needId();
        if (values.follow && !values.json) {
          await follow(client, id);
          return EXIT.ok;
        }
        const job = values.follow ? await client.wait(id) : await client.get(id);
        if (values.json) print({ stdout: job.stdout, stderr: job.stderr }, () => '');
        else if (isFinal(job.status)) {
          io.out(job.stdout);
          io.err(job.stderr);
        } else {
          // What its running attempt has written so far.
          const [out, err] = await Promise.all([
            client.readOutput(id, { stream: 'stdout' }),
            client.readOutput(id, { stream: 'stderr' }),
          ]);
          io.out(out.data);
          io.err(`${err.data}(${job.status}: -f follows its output until it ends)\n`);
        }
        return EXIT.ok;
      }
      case 'stats': {
        for (;;) {
          const stats = await client.stats();
          const pool = stats.processPool;
          print(
            stats,
            () =>
              `${io.tty && values.watch ? '\x1b[2J\x1b[H' : ''}slots ${pool.activeProcesses}/${stats.maxConcurrency} busy, ` +
              `${stats.queue.visible} waiting, ${stats.queue.inFlight} in flight, ${stats.queue.deadLetter} dead letters, ` +
              `${stats.retrying} retrying; ${stats.throughput.lastMinute} jobs in the last minute` +
              keysLine(stats.concurrencyKeys, stats.concurrencyKeyCount),
          );
          if (!values.watch) return EXIT.ok;
          await new Promise((resolve) => setTimeout(resolve, 2000));
        }
      }
      case 'schedule':
        return await scheduleCommand(client, args, { values, fields: split.fields, print });
      case 'redrive': {
        const moved = await client.redrive();
        print({ moved }, () => `${moved} messages moved back to the jobs queue`);
        return EXIT.ok;
      }
    }
    return EXIT.usage;
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`${error.message}\n${HELP[command]}\n`);
      return EXIT.usage;
    }
    if (error instanceof SpawnQueueError) {
      io.err(
        values.json
          ? `${JSON.stringify({ error: { code: error.code, message: error.message } })}\n`
          : `spawn-queue: ${error.message} (${error.code})\n`,
      );
      if (error.code === 'unreachable') return EXIT.unreachable;
      if (error.status === 401) return EXIT.unauthorized;
      return EXIT.failed;
    }
    throw error;
  }
}

type Values = ReturnType<
  typeof parseArgs<{ args: string[]; options: typeof OPTIONS; allowPositionals: true }>
>['values'];

/** One schedule in a line: id, when it fires next (or paused), cron and zone, task, runs. */
function scheduleLine(schedule: Schedule): string {
  const next = schedule.paused ? 'paused' : `next ${schedule.nextRunAt ?? 'never'}`;
  return `${schedule.id}  ${next}  "${schedule.cron}" ${schedule.timezone}  ${schedule.task}  ${schedule.runs} run(s)${schedule.skipped ? `, ${schedule.skipped} skipped` : ''}${schedule.missed ? `, ${schedule.missed} missed` : ''}`;
}

/** `schedule add|ls|get|pause|resume|rm`. */
async function scheduleCommand(
  client: SpawnQueueClient,
  args: string[],
  {
    values,
    fields,
    print,
  }: { values: Values; fields: Array<[string, string]>; print: (data: unknown, human: () => string) => void },
): Promise<number> {
  const [action, target, ...extra] = args;
  if (extra.length > 0) throw new UsageError(`unexpected ${extra.join(' ')}`);
  const needId = () => {
    if (!target)
      throw new UsageError(`schedule ${action} needs a schedule id (spawn-queue schedule ls lists them)`);
    return target;
  };
  switch (action) {
    case 'add': {
      if (!target) throw new UsageError('schedule add needs a task name (spawn-queue tasks lists them)');
      if (!values.cron) throw new UsageError('schedule add needs --cron, such as --cron "*/5 * * * *"');
      if (values.overlap !== undefined && values.overlap !== 'skip' && values.overlap !== 'allow')
        throw new UsageError('--overlap must be skip or allow');
      const schedule = await client.createSchedule({
        task: target,
        input: inputFrom(fields, values.input),
        cron: values.cron,
        ...(values.tz ? { timezone: values.tz } : {}),
        ...(values.overlap ? { overlap: values.overlap as 'skip' | 'allow' } : {}),
        ...(values['catch-up'] ? { catchUp: true } : {}),
        ...(values.paused ? { paused: true } : {}),
        ...(values['concurrency-key'] ? { concurrencyKey: values['concurrency-key'] } : {}),
      });
      print(schedule, () => scheduleLine(schedule));
      return EXIT.ok;
    }
    case 'ls': {
      const schedules: Schedule[] = [];
      for await (const schedule of client.schedules({ pageSize: 100 })) schedules.push(schedule);
      print(schedules, () => (schedules.length ? schedules.map(scheduleLine).join('\n') : 'no schedules'));
      return EXIT.ok;
    }
    case 'get': {
      const schedule = await client.getSchedule(needId());
      print(schedule, () =>
        [
          scheduleLine(schedule),
          ...(schedule.lastJobId ? [`last run ${schedule.lastRunAt}: job ${schedule.lastJobId}`] : []),
        ].join('\n'),
      );
      return EXIT.ok;
    }
    case 'pause':
    case 'resume': {
      const schedule = await client.updateSchedule(needId(), { paused: action === 'pause' });
      print(schedule, () => scheduleLine(schedule));
      return EXIT.ok;
    }
    case 'rm': {
      const id = needId();
      await client.deleteSchedule(id);
      print({ deleted: id }, () => `${id} deleted (its jobs stay)`);
      return EXIT.ok;
    }
    default:
      throw new UsageError(
        `schedule ${action ?? ''}: use add, ls, get, pause, resume or rm`.replace('  ', ' '),
      );
  }
}
