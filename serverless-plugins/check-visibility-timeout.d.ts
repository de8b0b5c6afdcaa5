interface ServiceLike {
  provider?: { timeout?: number };
  functions?: Record<string, { timeout?: number; events?: Array<{ sqs?: { arn?: unknown } }> }>;
  resources?: { Resources?: Record<string, { Properties?: { VisibilityTimeout?: number } }> };
}

declare class CheckVisibilityTimeout {
  constructor(serverless: { service: ServiceLike; classes: { Error: new (message: string) => Error } });
  hooks: Record<string, () => void>;
}

declare namespace CheckVisibilityTimeout {
  function violations(service: ServiceLike): string[];
}

export = CheckVisibilityTimeout;
