import type { ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import type { ElasticMq } from '../../../lib/local/elasticmq';
import { supervise } from '../../../lib/local/supervisor';

/** A stand-in server whose process can "exit"; the real restart is covered end to end. */
function server(name: string): ElasticMq & { die(): void; stopped: boolean } {
  const process = new EventEmitter() as unknown as ChildProcess;
  const fake = {
    endpoint: name,
    process,
    stopped: false,
    async stop() {
      fake.stopped = true;
    },
    die: () => process.emit('exit', null, 'SIGKILL'),
  };
  return fake;
}

const until = async (condition: () => boolean) => {
  for (let i = 0; i < 200 && !condition(); i += 1) await new Promise((r) => setTimeout(r, 5));
};

describe('supervisor of a stack part', () => {
  it('restarts a server that exits, says so, and sends the unfinished jobs again', async () => {
    const lines: string[] = [];
    const first = server('first');
    const second = server('second');
    const supervised = supervise(first, {
      name: 'ElasticMQ',
      meanwhile: 'submits answer 503 until it is back',
      start: async () => second,
      afterRestart: async () => 'its queues are recreated and 3 unfinished job(s) were sent again',
      say: (line) => lines.push(line),
      onGiveUp: () => lines.push('gave up'),
      firstDelayMs: 1,
    });
    first.die();
    await until(() => supervised.current() === second && lines.length === 2);
    expect(lines).toEqual([
      'ElasticMQ exited (SIGKILL); restarting it in 0.001 s (restart 1 of 5); submits answer 503 until it is back',
      'ElasticMQ is back; its queues are recreated and 3 unfinished job(s) were sent again',
    ]);
    await supervised.stop();
    expect(second.stopped).toBe(true);
  });

  it('gives up with one line after repeated failed restarts, with backoff between them', async () => {
    const lines: string[] = [];
    let reason = '';
    const first = server('first');
    const starts: number[] = [];
    supervise(first, {
      name: 'ElasticMQ',
      meanwhile: 'submits answer 503 until it is back',
      start: async () => {
        starts.push(Date.now());
        throw new Error('port 9324 is busy');
      },
      afterRestart: async () => '',
      say: (line) => lines.push(line),
      onGiveUp: (why) => (reason = why),
      maxRestarts: 3,
      firstDelayMs: 10,
    });
    first.die();
    await until(() => reason !== '');
    expect(reason).toBe(
      'ElasticMQ did not start again (port 9324 is busy), and 3 restarts in a row did not keep it running',
    );
    expect(reason).not.toContain('\n');
    expect(starts).toHaveLength(3);
    expect(starts[2]! - starts[1]!).toBeGreaterThanOrEqual(starts[1]! - starts[0]!);
    expect(lines[1]).toContain('restarting it in 0.02 s (restart 2 of 3)');
  });

  it('does not restart a server the stack is stopping', async () => {
    const first = server('first');
    let started = 0;
    const supervised = supervise(first, {
      name: 'ElasticMQ',
      meanwhile: 'submits answer 503 until it is back',
      start: async () => {
        started += 1;
        return server('again');
      },
      afterRestart: async () => '',
      say: () => undefined,
      onGiveUp: () => undefined,
      firstDelayMs: 1,
    });
    await supervised.stop();
    first.die();
    await new Promise((r) => setTimeout(r, 30));
    expect(started).toBe(0);
  });
});
