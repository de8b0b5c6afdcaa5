import Ajv from 'ajv';
import type { ValidateFunction } from 'ajv';
import defaultDefinitions from '../../config/tasks.json';
import { parseRetryPolicy, RetryPolicyError } from '../jobs/retry-policy';
import type { RetryPolicy } from '../jobs/retry-policy';
import { parseTaskLimits, TaskLimitsError } from '../process/task-limits';
import { ConcurrencyPolicyError, parseConcurrencyPolicy } from '../jobs/concurrency-keys';
import type { ConcurrencyPolicy } from '../jobs/concurrency-keys';
import type { TaskLimits } from '../process/task-limits';
import { checkCommandLine } from './command-line';
import { renderArgs, renderText, templateFields } from './render-template';
import type { Input } from './render-template';
import { resolveExecutable } from './resolve-executable';
import { CatalogueError, TaskInputError, TaskUnavailableError, UnknownTaskError } from './task-errors';

/** One entry of config/tasks.json as written. */
export interface TaskDefinition {
  description: string;
  command: string;
  args?: string[];
  stdin?: string;
  input: Record<string, unknown>;
  timeoutSeconds: number;
  maxOutputBytes: number;
  /** Names of environment variables the task may see (besides PATH, HOME, LANG, TMPDIR). */
  env?: string[];
  /** When a failed attempt runs again (lib/jobs/retry-policy.ts); absent: the default policy. */
  retry?: unknown;
  /** `{ memoryMb?, cpuSeconds?, processes? }`: bounds of each job (lib/process/task-limits.ts). */
  limits?: unknown;
  /** `{ perKey }`: at most this many jobs of the task with one concurrencyKey run at once. */
  concurrency?: unknown;
}

/** A validated task, ready to run. */
export interface Task {
  name: string;
  description: string;
  /** Absolute path, resolved when the catalogue loaded (the command as written when not found). */
  executable: string;
  /** False when the command is not on this runtime: the task answers 503 task_unavailable. */
  available: boolean;
  /** Why it is unavailable. */
  unavailableReason?: string;
  args: readonly string[];
  stdin?: string;
  inputSchema: Record<string, unknown>;
  timeoutMs: number;
  maxOutputBytes: number;
  env: readonly string[];
  retry: RetryPolicy;
  limits: TaskLimits;
  concurrency: ConcurrencyPolicy;
}

/** What one job runs: the task's executable with the input rendered into its argument template. */
export interface Invocation {
  executable: string;
  args: string[];
  stdin?: string;
  timeoutMs: number;
  maxOutputBytes: number;
  env: readonly string[];
  limits: TaskLimits;
}

export interface Catalogue {
  tasks(): Task[];
  get(name: string): Task | undefined;
  /** Validates input against the task's schema; throws UnknownTaskError, TaskUnavailableError or TaskInputError. */
  prepare(name: string, input: unknown): Invocation;
  /** The longest timeout of any task, for the consumer's own timeout check. */
  maxTimeoutMs(): number;
  /** The most attempts any task's retry policy allows (the queue's maxReceiveCount must be above it). */
  maxAttempts(): number;
}

const TASK_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;
const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;
const MAX_TIMEOUT_SECONDS = 840; // the consumer runs inside a Lambda of at most 900 s
const MAX_OUTPUT_BYTES = 4 * 1024 * 1024;

function fieldOf(instancePath: string, params: Record<string, unknown>): string {
  const base = instancePath.replace(/^\//, '').replace(/\//g, '.');
  const missing = typeof params.missingProperty === 'string' ? params.missingProperty : undefined;
  const extra = typeof params.additionalProperty === 'string' ? params.additionalProperty : undefined;
  const leaf = missing ?? extra;
  return ['input', base, leaf].filter(Boolean).join('.');
}

/** A field of an entry read by its own parser: the parser's error, as the catalogue's naming the entry. */
function entryField<T>(task: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    const known =
      error instanceof RetryPolicyError ||
      error instanceof TaskLimitsError ||
      error instanceof ConcurrencyPolicyError;
    if (!known) throw error;
    throw new CatalogueError(error.message, task, error.field, { cause: error });
  }
}

function check(condition: boolean, task: string, field: string, message: string): asserts condition {
  if (!condition) throw new CatalogueError(message, task, field);
}

/**
 * Builds a catalogue from definitions, resolving every command once (at cold start on Lambda). A bad
 * entry throws a CatalogueError naming the task and field; a command this runtime lacks only makes
 * that task unavailable, never the whole catalogue.
 */
export function createCatalogue(
  definitions: Record<string, TaskDefinition> = defaultDefinitions as Record<string, TaskDefinition>,
  options: { resolve?: (command: string) => string | undefined } = {},
): Catalogue {
  const resolve = options.resolve ?? resolveExecutable;
  const ajv = new Ajv({ allErrors: false, strict: true });
  const tasks = new Map<string, Task>();
  const validators = new Map<string, ValidateFunction>();

  for (const [name, def] of Object.entries(definitions)) {
    check(TASK_NAME.test(name), name, 'name', 'must be lower-case letters, digits and dashes');
    check(typeof def === 'object' && def !== null, name, 'entry', 'must be an object');
    check(typeof def.description === 'string' && def.description !== '', name, 'description', 'is required');
    check(typeof def.command === 'string' && def.command !== '', name, 'command', 'is required');
    // `node` is the Node that runs this code: on Lambda there is no node on the PATH.
    const executable = def.command === 'node' ? process.execPath : resolve(def.command);
    const args = def.args ?? [];
    check(
      Array.isArray(args) && args.every((a) => typeof a === 'string'),
      name,
      'args',
      'must be an array of strings',
    );
    check(def.stdin === undefined || typeof def.stdin === 'string', name, 'stdin', 'must be a string');
    check(
      Number.isInteger(def.timeoutSeconds) &&
        def.timeoutSeconds >= 1 &&
        def.timeoutSeconds <= MAX_TIMEOUT_SECONDS,
      name,
      'timeoutSeconds',
      `must be an integer from 1 to ${MAX_TIMEOUT_SECONDS}`,
    );
    check(
      Number.isInteger(def.maxOutputBytes) &&
        def.maxOutputBytes >= 1 &&
        def.maxOutputBytes <= MAX_OUTPUT_BYTES,
      name,
      'maxOutputBytes',
      `must be an integer from 1 to ${MAX_OUTPUT_BYTES}`,
    );
    const env = def.env ?? [];
    check(
      Array.isArray(env) &&
        env.every((v) => typeof v === 'string' && ENV_NAME.test(v) && !v.startsWith('AWS_')),
      name,
      'env',
      'must list variable names, never AWS_*',
    );
    const schema = def.input;
    check(
      typeof schema === 'object' && schema !== null && schema.type === 'object',
      name,
      'input',
      'must be a JSON Schema of type "object"',
    );
    try {
      validators.set(name, ajv.compile(schema));
    } catch (cause) {
      throw new CatalogueError(`is not a valid JSON Schema: ${(cause as Error).message}`, name, 'input', {
        cause,
      });
    }
    const properties = Object.keys((schema.properties as Record<string, unknown> | undefined) ?? {});
    for (const field of [...args, def.stdin ?? ''].flatMap(templateFields)) {
      check(properties.includes(field), name, 'args', `refers to {{${field}}}, which input does not define`);
    }
    const retry: RetryPolicy = entryField(name, () => parseRetryPolicy(def.retry));
    const limits: TaskLimits = entryField(name, () => parseTaskLimits(def.limits));
    const concurrency = entryField(name, () => parseConcurrencyPolicy(def.concurrency));
    tasks.set(name, {
      name,
      description: def.description,
      executable: executable ?? def.command,
      available: executable !== undefined,
      ...(executable === undefined
        ? { unavailableReason: `"${def.command}" is not an executable on this runtime` }
        : {}),
      args,
      stdin: def.stdin,
      inputSchema: schema,
      timeoutMs: def.timeoutSeconds * 1000,
      maxOutputBytes: def.maxOutputBytes,
      env,
      retry,
      limits,
      concurrency,
    });
  }

  return {
    tasks: () => [...tasks.values()],
    get: (name) => tasks.get(name),
    maxTimeoutMs: () => Math.max(0, ...[...tasks.values()].map((t) => t.timeoutMs)),
    maxAttempts: () => Math.max(1, ...[...tasks.values()].map((t) => t.retry.attempts)),
    prepare(name, input) {
      const task = tasks.get(name);
      const validate = validators.get(name);
      if (!task || !validate) throw new UnknownTaskError(name);
      if (!task.available) throw new TaskUnavailableError(name, task.unavailableReason ?? 'not available');
      if (!validate(input)) {
        const first = validate.errors?.[0];
        const field = first ? fieldOf(first.instancePath, first.params as Record<string, unknown>) : 'input';
        const message =
          first?.keyword === 'additionalProperties'
            ? `${field} is not allowed`
            : first?.keyword === 'required'
              ? `${field} is required`
              : `${field} ${first?.message ?? 'is invalid'}`;
        throw new TaskInputError(message, name, field);
      }
      const values = input as Input;
      // What the schema allows but a process cannot take (a NUL byte, an argument past the system's
      // limit) is refused here, at submit, never at spawn: there it would fail every delivery.
      checkCommandLine(name, task.args, values);
      return {
        executable: task.executable,
        args: renderArgs(task.args, values),
        stdin: task.stdin === undefined ? undefined : renderText(task.stdin, values),
        timeoutMs: task.timeoutMs,
        maxOutputBytes: task.maxOutputBytes,
        env: task.env,
        limits: task.limits,
      };
    },
  };
}
