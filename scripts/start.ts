/**
 * `npm start`: the whole local stack in one command — ElasticMQ on :9324 (unless SQS_ENDPOINT is
 * set), serverless offline on http://localhost:5000 and the event source that feeds the consumer.
 * Ctrl-C (or SIGTERM) stops all of it. `npm run dev` (`--watch`): the same, rebuilding the HTTP
 * functions on every edit.
 */
import path from 'node:path';
import { createLogger } from '../lib/logger';
import { startLocalStack } from '../lib/local/local-stack';
import { StackError } from '../lib/local/stack-errors';

const projectDir = path.resolve(__dirname, '..');
const say = (line: string) => process.stdout.write(`spawn-queue: ${line}\n`);

function port(name: string, fallback: number): number {
  const raw = process.env[name];
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    say(`${name} must be a port number, got "${raw}"`);
    process.exit(1);
  }
  return value;
}

async function main(): Promise<void> {
  // Locally everything runs on Node 20 (AWS runs the functions on nodejs22.x): the SDK's notice is noise.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  let shuttingDown = false;
  let stack: Awaited<ReturnType<typeof startLocalStack>> | undefined;
  const shutdown = async (code: number) => {
    if (shuttingDown) return;
    shuttingDown = true;
    say('stopping');
    await stack?.stop();
    process.exit(code);
  };
  // `on`, not `once`: Ctrl-C reaches every process of the terminal's group, and npm relays it again;
  // a second SIGINT must not kill this process halfway through the stop. SIGHUP: the terminal closed.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void shutdown(0));

  try {
    stack = await startLocalStack({
      projectDir,
      httpPort: port('HTTP_PORT', 5000),
      lambdaPort: port('LAMBDA_PORT', 5002),
      elasticMqPort: port('ELASTICMQ_PORT', 9324),
      dynamoDbPort: port('DYNAMODB_PORT', 8000),
      sqsEndpoint: process.env.SQS_ENDPOINT || undefined,
      // `npm run dev`: rebuild the HTTP functions on every edit (costs a bundler kept in memory).
      watch: process.argv.includes('--watch'),
      offlineOutput: 'inherit',
      say,
      logger: createLogger({ name: 'event-source', level: process.env.LOG_LEVEL || 'info' }),
      onFailure: (reason) => {
        say(`${reason}; stopping the stack`);
        void shutdown(1);
      },
    });
  } catch (error) {
    if (error instanceof StackError) {
      say(error.message);
      process.exit(1);
    }
    throw error;
  }
  if (shuttingDown) return;
  say(`ready: ${stack.httpUrl}/api/health  ${stack.httpUrl}/api/tasks  (Ctrl-C stops everything)`);
}

void main();
