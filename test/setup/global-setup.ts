import path from 'node:path';
import { startDynalite } from '../../lib/local/dynalite';
import { startElasticMq } from '../../lib/local/elasticmq';
import { freePort } from '../../lib/local/ports';

/**
 * One real ElasticMQ for the integration tests, on a free port so it never collides with a running
 * `npm start`. Each test creates queues of its own on it. The same for dynalite (DynamoDB).
 */
export default async function globalSetup(): Promise<void> {
  const port = await freePort();
  const projectDir = path.resolve(__dirname, '..', '..');
  const elasticMq = await startElasticMq({ projectDir, port });
  process.env.TEST_SQS_ENDPOINT = elasticMq.endpoint;
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  (globalThis as { __elasticMq?: typeof elasticMq }).__elasticMq = elasticMq;
  // One in-memory dynalite for the DynamoDB job store's tests; each test makes tables of its own.
  const dynalite = await startDynalite({ projectDir, port: await freePort() });
  process.env.TEST_DYNAMODB_ENDPOINT = dynalite.endpoint;
  (globalThis as { __dynalite?: typeof dynalite }).__dynalite = dynalite;
}
