import { createCatalogue } from '../../../lib/tasks/catalogue';
import type { TaskDefinition } from '../../../lib/tasks/catalogue';
import {
  CatalogueError,
  TaskInputError,
  TaskUnavailableError,
  UnknownTaskError,
} from '../../../lib/tasks/task-errors';

const echo: TaskDefinition = {
  description: 'echo',
  command: 'printf',
  args: ['%s\\n', '{{text}}'],
  input: {
    type: 'object',
    properties: { text: { type: 'string' } },
    required: ['text'],
    additionalProperties: false,
  },
  timeoutSeconds: 5,
  maxOutputBytes: 100,
};

describe('task catalogue', () => {
  it('ships the demo tasks the tests and benchmarks rely on', () => {
    const names = createCatalogue()
      .tasks()
      .map((t) => t.name);
    expect(names.length).toBeGreaterThanOrEqual(8);
    expect(names).toEqual(expect.arrayContaining(['echo', 'sleep', 'fail', 'sha256']));
  });

  it('resolves commands to absolute paths once, at load', () => {
    expect(createCatalogue().get('sleep')?.executable).toMatch(/^\/.*\/sleep$/);
  });

  it('runs `node` tasks with the Node that runs the code (Lambda has no node on its PATH)', () => {
    expect(createCatalogue().get('fail')?.executable).toBe(process.execPath);
  });

  it('makes a task whose command this runtime lacks unavailable, and only that task', () => {
    const catalogue = createCatalogue({ echo, missing: { ...echo, command: 'no-such-program-here' } });
    expect(catalogue.get('echo')).toMatchObject({ available: true });
    expect(catalogue.get('missing')).toMatchObject({
      available: false,
      unavailableReason: '"no-such-program-here" is not an executable on this runtime',
    });
    expect(() => catalogue.prepare('missing', { text: 'x' })).toThrow(TaskUnavailableError);
    expect(catalogue.prepare('echo', { text: 'x' }).args).toEqual(['%s\\n', 'x']);
  });

  it('renders input into one argv entry per template element', () => {
    const invocation = createCatalogue({ echo }).prepare('echo', { text: 'a b; $(c)' });
    expect(invocation.args).toEqual(['%s\\n', 'a b; $(c)']);
  });

  it('includes a conditional flag only when the input says true', () => {
    const catalogue = createCatalogue();
    expect(catalogue.prepare('sort-lines', { text: 'b\na', reverse: true }).args).toEqual(['-r']);
    expect(catalogue.prepare('sort-lines', { text: 'b\na' }).args).toEqual([]);
  });

  it.each([
    [{ seconds: 601 }, 'input.seconds must be <= 600'],
    [{}, 'input.seconds is required'],
    [{ seconds: 1, extra: 1 }, 'input.extra is not allowed'],
    [{ seconds: '1' }, 'input.seconds must be number'],
  ])('rejects sleep input %p naming the field', (input, message) => {
    expect(() => createCatalogue().prepare('sleep', input)).toThrow(new TaskInputError(message, 'sleep', ''));
  });

  it('rejects an unknown task', () => {
    expect(() => createCatalogue().prepare('rm', {})).toThrow(UnknownTaskError);
  });

  it.each([
    [{ ...echo, timeoutSeconds: 0 }, 'task "bad": timeoutSeconds must be an integer from 1 to 840'],
    [{ ...echo, args: ['{{missing}}'] }, 'task "bad": args refers to {{missing}}'],
    [{ ...echo, env: ['AWS_SECRET_ACCESS_KEY'] }, 'task "bad": env must list variable names, never AWS_*'],
    [{ ...echo, input: { type: 'string' } }, 'task "bad": input must be a JSON Schema of type "object"'],
  ])('refuses a bad entry with a message naming task and field (%#)', (definition, message) => {
    expect(() => createCatalogue({ bad: definition as TaskDefinition })).toThrow(CatalogueError);
    expect(() => createCatalogue({ bad: definition as TaskDefinition })).toThrow(message);
  });

  it('refuses at prepare what a process cannot take, naming the field: a NUL in an argument', () => {
    const catalogue = createCatalogue({ echo });
    let error: unknown;
    try {
      catalogue.prepare('echo', { text: 'x\u0000y' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(TaskInputError);
    expect(error).toMatchObject({ field: 'input.text', message: expect.stringMatching(/NUL/) });
  });

  it('lets a NUL through to stdin, which takes any byte', () => {
    const catalogue = createCatalogue({
      cat: { ...echo, command: 'cat', args: [], stdin: '{{text}}' },
    });
    expect(catalogue.prepare('cat', { text: 'x\u0000y' }).stdin).toBe('x\u0000y');
  });

  it("refuses an argument past the kernel's per-argument limit, and arguments past the command line's", () => {
    const catalogue = createCatalogue({
      echo,
      many: {
        ...echo,
        args: Array.from({ length: 10 }, () => '{{text}}'),
        input: { type: 'object', properties: { text: { type: 'string' } } },
      },
    });
    expect(() => catalogue.prepare('echo', { text: 'a'.repeat(128 * 1024) })).toThrow(
      /input.text is too long for a command-line argument/,
    );
    expect(() => catalogue.prepare('many', { text: 'a'.repeat(120 * 1024) })).toThrow(
      /input is too large for the command line/,
    );
    expect(catalogue.prepare('echo', { text: 'a'.repeat(100 * 1024) }).args[1]).toHaveLength(100 * 1024);
  });

  it('gives every task a retry policy (the default when it names none) and refuses a bad one', () => {
    const catalogue = createCatalogue({ echo, flaky: { ...echo, retry: { attempts: 5, on: [75] } } });
    expect(catalogue.get('echo')?.retry).toMatchObject({ attempts: 3, on: ['error'] });
    expect(catalogue.get('flaky')?.retry).toMatchObject({ attempts: 5, on: [75] });
    expect(catalogue.maxAttempts()).toBe(5);
    expect(() => createCatalogue({ bad: { ...echo, retry: { attempts: 0 } } })).toThrow(
      'task "bad": retry.attempts must be a number from 1 to 20',
    );
  });
});
