/**
 * Preloaded (`node --require`) into serverless offline and the consumer's process by the local stack
 * when SPAWN_QUEUE_LOOP_DELAY_DIR is set (the benchmark sets it), local only. It measures how long the
 * process's event loop is held up (perf_hooks' monitorEventLoopDelay, 10 ms resolution) and writes
 * the figures every second to `<dir>/<role>-<pid>.json`; SIGUSR2 starts a new measurement, so a
 * benchmark reads the delay of one load. A synchronous store call that waits (a SQLite lock) shows up
 * here as delay.
 */
'use strict';
const { monitorEventLoopDelay } = require('node:perf_hooks');
const { setInterval } = require('node:timers');
const { writeFileSync } = require('node:fs');
const path = require('node:path');

const dir = process.env.SPAWN_QUEUE_LOOP_DELAY_DIR;
if (dir) {
  const role = process.argv.some((arg) => arg.includes('consumer-host')) ? 'consumer' : 'serverless-offline';
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  const ms = (ns) => Math.round((ns / 1e6) * 10) / 10;
  const write = () => {
    try {
      writeFileSync(
        path.join(dir, `${role}-${process.pid}.json`),
        JSON.stringify({
          role,
          pid: process.pid,
          p50Ms: ms(histogram.percentile(50)),
          p99Ms: ms(histogram.percentile(99)),
          maxMs: ms(histogram.max),
          samples: histogram.count,
        }),
      );
    } catch {
      // a measurement, never a failure of the process
    }
  };
  setInterval(write, 1000).unref();
  process.on('SIGUSR2', () => histogram.reset());
}
