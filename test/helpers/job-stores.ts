import { randomUUID } from 'node:crypto';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { loadConfig } from '../../lib/config';
import { ensureJobTable, localDynamoDbClient } from '../../lib/local/dynalite';
import { createJobStore } from '../../lib/store/create-job-store';
import type { JobStore } from '../../lib/jobs/job-store';
import { tempDir } from './temp-dir';

export type StoreKind = 'sqlite' | 'dynamodb';
export const STORE_KINDS: StoreKind[] = ['sqlite', 'dynamodb'];

/** A fresh, empty job store of one kind; `open` gives another instance on the same data (another worker). */
export interface TestStore {
  store: JobStore;
  open(): JobStore;
  /** The environment that selects this store (for configs and local stacks). */
  env: Record<string, string>;
  cleanup(): Promise<void>;
}

function dynamoDbEndpoint(): string {
  const endpoint = process.env.TEST_DYNAMODB_ENDPOINT;
  if (!endpoint)
    throw new Error(
      'TEST_DYNAMODB_ENDPOINT is not set: run the tests through jest (global setup starts dynalite)',
    );
  return endpoint;
}

export async function testStore(kind: StoreKind): Promise<TestStore> {
  const opened: JobStore[] = [];
  let env: Record<string, string>;
  let dropData: () => Promise<void>;
  if (kind === 'sqlite') {
    const { dir, cleanup } = await tempDir();
    env = { JOB_STORE: 'sqlite', JOB_STORE_DIR: dir };
    dropData = cleanup;
  } else {
    const endpoint = dynamoDbEndpoint();
    const tableName = `jobs-${randomUUID()}`;
    const admin = localDynamoDbClient(endpoint);
    await ensureJobTable(admin, tableName);
    env = { JOB_STORE: 'dynamodb', JOB_TABLE_NAME: tableName, DYNAMODB_ENDPOINT: endpoint };
    dropData = async () => {
      await admin.send(new DeleteTableCommand({ TableName: tableName })).catch(() => undefined);
      admin.destroy();
    };
  }
  const open = () => {
    const store = createJobStore(loadConfig(env));
    opened.push(store);
    return store;
  };
  return {
    store: open(),
    open,
    env,
    cleanup: async () => {
      await Promise.all(opened.map((store) => store.close()));
      await dropData();
    },
  };
}
