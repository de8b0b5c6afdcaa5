import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { awsClientOptions } from '../aws-client-options';
import type { Config } from '../config';
import { createDynamoDbJobStore } from './dynamodb-job-store';
import { createSqliteJobStore } from './sqlite-job-store';
import type { JobStore } from '../jobs/job-store';
import type { ScheduleStore } from '../schedules/schedule-store';
import { createDynamoDbScheduleStore } from './dynamodb-schedule-store';
import { createSqliteScheduleStore } from './sqlite-schedule-store';

type StoreConfig = Pick<
  Config,
  | 'jobStore'
  | 'jobStoreDir'
  | 'jobTableName'
  | 'jobRetentionDays'
  | 'region'
  | 'dynamodbEndpoint'
  | 'useLocalCredentials'
>;

/** The DynamoDB client of the store. Short timeouts: an unreachable table is a quick 503, not a hang. */
export function createDynamoDbClient(
  config: Omit<StoreConfig, 'jobStore' | 'jobStoreDir' | 'jobTableName' | 'jobRetentionDays'>,
) {
  const client = new DynamoDBClient(
    awsClientOptions(config, config.dynamodbEndpoint, { requestTimeoutMs: 5000, maxAttempts: 3 }),
  );
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

/** The job store JOB_STORE names: a SQLite database in JOB_STORE_DIR, or the DynamoDB table JOB_TABLE_NAME. */
export function createJobStore(config: StoreConfig): JobStore {
  if (config.jobStore === 'dynamodb') {
    return createDynamoDbJobStore({
      client: createDynamoDbClient(config),
      tableName: config.jobTableName,
      retentionDays: config.jobRetentionDays,
      ownsClient: true,
    });
  }
  return createSqliteJobStore({ dir: config.jobStoreDir });
}

/**
 * The schedule store beside the job store JOB_STORE names (the same database file, or table),
 * through `client` when given (its owner closes it), otherwise a client of its own.
 */
export function createScheduleStore(
  config: StoreConfig,
  client?: ReturnType<typeof createDynamoDbClient>,
): ScheduleStore {
  if (config.jobStore === 'dynamodb') {
    return createDynamoDbScheduleStore({
      client: client ?? createDynamoDbClient(config),
      tableName: config.jobTableName,
      ownsClient: client === undefined,
    });
  }
  return createSqliteScheduleStore({ dir: config.jobStoreDir });
}

/**
 * Both stores of a process. Deployed, the two share one DynamoDB client (one made at a cold start,
 * one connection pool), which the job store owns and closes.
 */
export function createStores(config: StoreConfig): { store: JobStore; schedules: ScheduleStore } {
  if (config.jobStore !== 'dynamodb') {
    return { store: createJobStore(config), schedules: createScheduleStore(config) };
  }
  const client = createDynamoDbClient(config);
  return {
    store: createDynamoDbJobStore({
      client,
      tableName: config.jobTableName,
      retentionDays: config.jobRetentionDays,
      ownsClient: true,
    }),
    schedules: createScheduleStore(config, client),
  };
}
