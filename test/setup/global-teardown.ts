import type { ElasticMq } from '../../lib/local/elasticmq';

export default async function globalTeardown(): Promise<void> {
  await (globalThis as { __elasticMq?: ElasticMq }).__elasticMq?.stop();
}
