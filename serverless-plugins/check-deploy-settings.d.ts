interface ServiceLike {
  provider?: { environment?: Record<string, string | undefined> };
}

interface ProviderLike {
  getStage(): string;
  request(service: string, method: string, params: unknown): Promise<{ Parameter?: { Value?: string } }>;
}

declare class CheckDeploySettings {
  constructor(serverless: {
    service: ServiceLike;
    classes: { Error: new (message: string) => Error };
    getProvider(name: 'aws'): ProviderLike;
  });
  hooks: Record<string, () => Promise<void>>;
}

declare namespace CheckDeploySettings {
  function settingProblems(service: ServiceLike): string[];
  function tokenProblem(
    serverless: { service: ServiceLike },
    provider: ProviderLike,
  ): Promise<string | undefined>;
}

export = CheckDeploySettings;
