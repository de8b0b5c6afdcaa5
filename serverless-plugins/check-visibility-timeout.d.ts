interface ServiceLike {
  provider?: { timeout?: number };
  functions?: Record<string, { timeout?: number; events?: Array<{ sqs?: { arn?: unknown } }> }>;
  resources?: {
    Resources?: Record<
      string,
      { Properties?: { VisibilityTimeout?: number; RedrivePolicy?: { maxReceiveCount?: number } } }
    >;
  };
}

declare class CheckVisibilityTimeout {
  constructor(serverless: { service: ServiceLike; classes: { Error: new (message: string) => Error } });
  hooks: Record<string, () => void>;
}

declare namespace CheckVisibilityTimeout {
  function violations(service: ServiceLike, tasks?: Record<string, unknown>): string[];
  function maxAttempts(tasks: Record<string, unknown>): number;
}

export = CheckVisibilityTimeout;
