import { EXIT, main } from '../../cli/main';
import type { Io } from '../../cli/main';

/** The CLI with its output captured, never a terminal. */
async function run(...argv: string[]) {
  let out = '';
  let err = '';
  const io: Io = { out: (t) => (out += t), err: (t) => (err += t), tty: false, env: {} };
  const code = await main(argv, io);
  return { code, out, err };
}

describe('the CLI (no API needed)', () => {
  it.each(['', 'tasks', 'submit', 'get', 'ls', 'cancel', 'retry', 'logs', 'stats', 'redrive', 'schedule'])(
    'has --help for %p',
    async (command) => {
      const { code, err } = await run(...(command ? [command] : []), '--help');
      expect(code).toBe(EXIT.ok);
      expect(err).toContain(`spawn-queue ${command}`.trim());
    },
  );

  it.each([
    ['no command', []],
    ['an unknown command', ['launch']],
    ['submit without a task', ['submit']],
    ['--input that is not an object', ['submit', 'echo', '--input', '[1]']],
    ['a field without a value', ['submit', 'echo', '--text']],
    ['get without an id', ['get']],
    ['a --limit that is not a positive integer', ['ls', '--limit', '0']],
    ['schedule add without a task', ['schedule', 'add', '--cron', '* * * * *']],
    ['schedule add without --cron', ['schedule', 'add', 'echo']],
    [
      'schedule add with an --overlap it does not know',
      ['schedule', 'add', 'echo', '--cron', '* * * * *', '--overlap', 'queue'],
    ],
    ['schedule rm without an id', ['schedule', 'rm']],
    ['an unknown schedule action', ['schedule', 'every']],
  ])('exits 64 (usage) for %s, saying why', async (_name, argv) => {
    const { code, err } = await run(...argv);
    expect(code).toBe(EXIT.usage);
    expect(err).not.toBe('');
  });

  it('exits 69 with one line when the API does not answer', async () => {
    const { code, err } = await run('tasks', '--url', 'http://127.0.0.1:1');
    expect(code).toBe(EXIT.unreachable);
    expect(err.trim().split('\n')).toHaveLength(1);
    expect(err).toContain('(unreachable)');
  });
});
