import type { Dynalite } from '../../lib/local/dynalite';
import type { ElasticMq } from '../../lib/local/elasticmq';

export default async function globalTeardown(): Promise<void> {
  const shared = globalThis as { __elasticMq?: ElasticMq; __dynalite?: Dynalite };
  await Promise.all([shared.__elasticMq?.stop(), shared.__dynalite?.stop()]);
}
