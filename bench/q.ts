import { burst, pollingClient } from '/work/main/bench/lib/hostile-clients';
const url = process.argv[2] ?? 'http://localhost:5000';
const what = process.argv[3] ?? 'burst';
(async () => {
  if (what === 'burst') for (const c of [10, 100, 300, 1000]) console.log(JSON.stringify(await burst(url, { connections: c, perConnection: c === 10 ? 100 : c === 100 ? 10 : 3 })));
  else console.log(JSON.stringify(await pollingClient(url, { task: what, input: what === 'echo' ? { text: 'x' } : { seconds: Number(process.argv[4]) }, jobs: Number(process.argv[5] ?? 200), pollers: Number(process.env.POLLERS ?? 64), pauseMs: Number(process.env.PAUSE ?? 25) })));
})();
