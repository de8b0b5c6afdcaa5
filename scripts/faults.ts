/**
 * npm run faults: every fault scenario, each against a private stack or store (the tests named
 * below, run by Jest with the project's own setup), then one table: scenario, expected, observed,
 * pass/fail. Bounded: each scenario has its test's timeout; the whole run takes a few minutes.
 */
import { execFile } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

interface Scenario {
  name: string;
  file: string;
  /** Matches the test's full name (describe blocks and title). */
  test: RegExp;
  expected: string;
}

export const SCENARIOS: Scenario[] = [
  {
    name: 'Ctrl-C, SIGINT, SIGTERM, SIGHUP, SIGKILL of npm start, 3 times each',
    file: 'test/e2e/stopping.test.ts',
    test: /leaves nothing running within 10 s/,
    expected: 'no process, task or port of the stack left within 10 s',
  },
  {
    name: 'crash (kill -9) with a task running, then npm start',
    file: 'test/e2e/stopping.test.ts',
    test: /after a crash that orphans a running task/,
    expected: 'the orphaned task is ended before anything runs; never more than 4',
  },
  {
    name: 'a callback receiver that is down, then back',
    file: 'test/e2e/local-stack.test.ts',
    test: /tries again while the receiver is down/,
    expected: 'the delivery fails and is recorded (pending, lastError); delivered once the receiver is back',
  },
  {
    name: 'a callback receiver that trickles its answer, or never ends its body',
    file: 'test/lib/callbacks/post-callback.test.ts',
    test: /hostile receivers/,
    expected:
      'cut off at the 10 s deadline however steadily it trickles; a status that came is used, its body unread',
  },
  {
    name: 'the callbacks queue down when a job with a callback ends, real ElasticMQ',
    file: 'test/faults/callbacks-queue-down.test.ts',
    test: /announces its callback once the queue is back/,
    expected:
      "the job's end recorded; its message returned in seconds; the deliverer told once the queue is back, once",
  },
  {
    name: 'a delayed job, a pending callback and a schedule across a restart of the stack (the scheduler restarted)',
    file: 'test/e2e/stopping.test.ts',
    test: /a delayed job across a restart of the stack/,
    expected:
      'still scheduled after the restart; sent again, delayed; starts at its time, not before, < 2 s after; the callback delivered once; a schedule fires on, one job per fire time',
  },
  {
    name: "one concurrency key's backlog under load, the tasks' parent killed midway",
    file: 'test/e2e/local-stack.test.ts',
    test: /drains one key's backlog under load/,
    expected:
      "every job final and succeeded; the key's jobs one at a time (its perKey); every other key's job started before the key's last one",
  },
  {
    name: 'two schedulers at once, and a scheduler stopped between making a job and moving its schedule on',
    file: 'test/lib/schedules/fire-schedules.test.ts',
    test: /one job per fire time with two schedulers at once/,
    expected: 'one job per fire time, whoever fires it and however often (its Idempotency-Key)',
  },
  {
    name: 'a scheduler down past fire times, then back',
    file: 'test/lib/schedules/fire-schedules.test.ts',
    test: /missed while nothing fired/,
    expected:
      'the missed fire times are counted and not run (the latest, within 90 s, runs); a schedule with catchUp runs each, once',
  },
  {
    name: 'the jobs queue down at a fire time',
    file: 'test/lib/schedules/fire-schedules.test.ts',
    test: /leaves a schedule due when the queue fails/,
    expected: 'no job left queued without a message; the schedule stays due and the next pass makes its job',
  },
  {
    name: 'ElasticMQ killed with jobs queued and running',
    file: 'test/e2e/local-stack.test.ts',
    test: /restarts a killed ElasticMQ/,
    expected:
      '503 queue_unavailable and health sqs:error meanwhile; restarted; every job succeeds; at most 4 at once',
  },
  {
    name: 'serverless offline killed with a job running',
    file: 'test/e2e/local-stack.test.ts',
    test: /restarts a killed serverless offline/,
    expected: 'restarted; the running job still succeeds (attempt 1); the API answers again',
  },
  {
    name: 'the same message delivered twice at once',
    file: 'test/lib/consumer/run-jobs-handler.test.ts',
    test: /delivered twice at once/,
    expected: 'one run, one attempt, status succeeded',
  },
  {
    name: 'a runner that stopped between claiming an attempt and starting it',
    file: 'test/lib/consumer/run-jobs-handler.test.ts',
    test: /claimed but never started once its lease ran out/,
    expected: 'the next delivery takes the claim over once its lease ran out and runs the job once',
  },
  {
    name: 'a job over its timeout',
    file: 'test/lib/process/run-process.test.ts',
    test: /on timeout kills the whole process group/,
    expected: 'timed out; the whole process group (grandchild too) dead within timeout + 1 s',
  },
  {
    name: 'the process spawner killed with a task running',
    file: 'test/lib/process/run-process.test.ts',
    test: /starts again after that process dies/,
    expected: 'its task killed, its run rejected (the job is retried); the next run starts a new spawner',
  },
  {
    name: "the tasks' parent (the spawner) killed with 3 jobs running, real ElasticMQ",
    file: 'test/faults/spawner-killed.test.ts',
    test: /records each interrupted job, runs it again within seconds/,
    expected: 'each job queued again at once with the reason; run again after ~2 s; all succeed as attempt 2',
  },
  {
    name: "the tasks' parent killed under npm start",
    file: 'test/e2e/local-stack.test.ts',
    test: /retries a job after its spawner is killed/,
    expected: 'every interrupted job ends succeeded (attempt 2) within 30 s of the kill',
  },
  {
    name: 'hostile input at submit (a NUL in an argument)',
    file: 'test/lib/http/handlers/submit-job.test.ts',
    test: /a NUL character in what becomes an argument/,
    expected: '400 invalid_input naming input.text; nothing written, nothing sent',
  },
  {
    name: 'hostile input straight into SQS',
    file: 'test/lib/consumer/run-jobs-handler.test.ts',
    test: /whose input no process can take/,
    expected: 'recorded failed with the reason; never retried',
  },
  {
    name: 'hostile input under npm start, with jobs running',
    file: 'test/e2e/local-stack.test.ts',
    test: /refuses input no process can take/,
    expected: '400 at submit, failed record through SQS; the running job still succeeds',
  },
  {
    name: "retry policy: a failure that is not the task's own",
    file: 'test/lib/consumer/run-jobs-handler.test.ts',
    test: /back in the queue with its reason, and retries it after the backoff/,
    expected: 'queued with reason, nextAttemptAt and attempt history; visible again after 2 s; then succeeds',
  },
  {
    name: 'retry policy: an exit code it names, and one it does not',
    file: 'test/lib/consumer/run-jobs-handler.test.ts',
    test: /retries an exit code its policy names/,
    expected: 'exit 75 queued again, then final at its last attempt; exit 1 final at once',
  },
  {
    name: 'retry policy: no attempt left',
    file: 'test/lib/consumer/run-jobs-handler.test.ts',
    test: /once its policy has no attempt left/,
    expected: 'failed after 3 attempts, each in the history; message deleted',
  },
  {
    name: "retry policy: the queue's redrive limit",
    file: 'test/lib/local/event-source-mapping.test.ts',
    test: /moves a poison job to the DLQ/,
    expected: 'in the DLQ after 3 receives, spaced by the backoff; the record says so',
  },
  {
    name: 'retry on demand and redrive',
    file: 'test/e2e/local-stack.test.ts',
    test: /retries an ended job on demand, and moves the dead-letter queue back/,
    expected: 'a failed job runs as attempt 2; 409 for a succeeded one; the DLQ moved back and its job run',
  },
  {
    name: 'the job store does not answer',
    file: 'test/faults/store-outage.test.ts',
    test: /503 store_unavailable/,
    expected: '503 store_unavailable with Retry-After for submit, get and list; nothing sent',
  },
  {
    name: 'dynalite killed under JOB_STORE=dynamodb npm start',
    file: 'test/e2e/local-stack.test.ts',
    test: /restarts a killed dynalite/,
    expected: '503 store_unavailable meanwhile; restarted with its data; the running job succeeds',
  },
  {
    name: 'two processes race one transition, 100 times',
    file: 'test/lib/store/job-store.contract.test.ts',
    test: /two processes win each of 100 races/,
    expected: 'exactly one winner per job, on both stores',
  },
  {
    name: 'the disk under the job store fills up',
    file: 'test/faults/disk-full.test.ts',
    test: /answers submits 507/,
    expected: '507 store_full in the error shape, nothing half-written; works again once space is freed',
  },
  {
    name: 'a damaged job record',
    file: 'test/faults/damaged-record.test.ts',
    test: /reads as an error naming that job/,
    expected: '500 job_unreadable naming the job; lists and stats keep working',
  },
  {
    name: 'a hostile neighbour: a web page in the browser and a direct invoke flood',
    file: 'test/e2e/doors.test.ts',
    test: /a hostile neighbour/,
    expected:
      'the page reads nothing (blocked or opaque answers); 8 invokes of runJobs start no process; no job written',
  },
  {
    name: 'DNS rebinding and a foreign origin, without tokens',
    file: 'test/e2e/doors.test.ts',
    test: /foreign host name|foreign origin’s simple POST/,
    expected: '403 host_not_allowed / origin_not_allowed in the error shape; no job written',
  },
  {
    name: 'a task that leaves a setsid child behind, under npm start',
    file: 'test/e2e/containment.test.ts',
    test: /setsid child is killed within 1 s/,
    expected: 'the job succeeds; its setsid child is dead within 1 s of the job being final',
  },
  {
    name: 'a setsid child that holds the pipes past the timeout, under npm start',
    file: 'test/e2e/containment.test.ts',
    test: /holds its pipes at its timeout/,
    expected: 'timed_out within timeout + grace + 2 s; nothing of it alive; the slot free',
  },
  {
    name: 'a fork flood, a memory hog and a CPU burner, under npm start',
    file: 'test/e2e/containment.test.ts',
    test: /fork flood|memory limit|CPU limit/,
    expected:
      'at most 50 processes at once; failed "memory limit exceeded ... 64 MB"; failed "CPU limit exceeded"; others untouched',
  },
  {
    name: 'the process spawner killed while a job with an escaped child runs',
    file: 'test/lib/process/containment.test.ts',
    test: /takes every process of its jobs with it/,
    expected: 'the run rejected (the job is retried); the task and its setsid child dead within 2 s',
  },
  {
    name: 'the jobs queue purged under load (a broker losing messages)',
    file: 'test/e2e/lost-messages.test.ts',
    test: /after a purge of the queue/,
    expected: 'every one of 30 jobs succeeds, each as attempt 1; never more than 4 at once',
  },
  {
    name: 'a delivery between a cancel’s claim and its status write',
    file: 'test/lib/consumer/run-jobs-handler.test.ts',
    test: /never runs a job whose next attempt a cancel claimed/,
    expected: 'held while the claim lasts; then recorded cancelled, never started',
  },
  {
    name: 'a flood beyond MAX_QUEUED_JOBS',
    file: 'test/e2e/settings.test.ts',
    test: /MAX_QUEUED_JOBS/,
    expected: '429 queue_full with Retry-After, nothing written; every other answer 202',
  },
];

interface AssertionResult {
  fullName: string;
  status: 'passed' | 'failed' | 'pending' | 'skipped' | 'todo';
  duration?: number;
  failureMessages: string[];
}

interface JestJson {
  testResults: Array<{ name: string; assertionResults: AssertionResult[]; message: string }>;
}

function observed(results: AssertionResult[]): { text: string; pass: boolean | undefined } {
  const ran = results.filter((r) => r.status === 'passed' || r.status === 'failed');
  if (ran.length === 0)
    return { text: results.length ? 'skipped (see the test)' : 'not run', pass: undefined };
  const failed = ran.filter((r) => r.status === 'failed');
  const seconds = ran.map((r) => ((r.duration ?? 0) / 1000).toFixed(1)).join(', ');
  if (failed.length === 0) return { text: `as expected, ${ran.length} run(s) in ${seconds} s`, pass: true };
  const first =
    failed[0]!.failureMessages
      .join('\n')
      .split('\n')
      .find((line) => line.trim()) ?? 'failed';
  return { text: `${failed.length} of ${ran.length} failed: ${first.trim().slice(0, 160)}`, pass: false };
}

async function main(): Promise<void> {
  const projectDir = path.resolve(__dirname, '..');
  const output = path.join(projectDir, '.cache', 'faults.json');
  await mkdir(path.dirname(output), { recursive: true });
  const files = [...new Set(SCENARIOS.map((s) => s.file))];
  const names = SCENARIOS.map((s) => s.test.source).join('|');
  process.stdout.write(`running ${SCENARIOS.length} fault scenarios (${files.length} test files)...\n`);
  await promisify(execFile)(
    path.join(projectDir, 'node_modules', '.bin', 'jest'),
    [...files, '-t', names, '--json', '--outputFile', output, '--runInBand'],
    { cwd: projectDir, maxBuffer: 64 * 1024 * 1024, timeout: 30 * 60_000 },
  ).catch(() => undefined); // failures are read from the JSON below
  const report = JSON.parse(await readFile(output, 'utf8')) as JestJson;
  const assertions = report.testResults.flatMap((file) =>
    file.assertionResults.map((a) => ({ ...a, file: path.relative(projectDir, file.name) })),
  );
  const rows = SCENARIOS.map((scenario) => {
    const result = observed(
      assertions.filter((a) => a.file === scenario.file && scenario.test.test(a.fullName)),
    );
    return { scenario, ...result };
  });
  const lines = [
    '| scenario | expected | observed | result |',
    '| --- | --- | --- | --- |',
    ...rows.map(
      (row) =>
        `| ${row.scenario.name} | ${row.scenario.expected} | ${row.text} | ${row.pass === undefined ? 'skipped' : row.pass ? 'pass' : 'FAIL'} |`,
    ),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  const failed = rows.filter((row) => row.pass === false).length;
  const skipped = rows.filter((row) => row.pass === undefined).length;
  process.stdout.write(`${rows.length - failed - skipped} passed, ${failed} failed, ${skipped} skipped\n`);
  process.exitCode = failed > 0 ? 1 : 0;
}

main().catch((error: unknown) => {
  console.error(`faults: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
