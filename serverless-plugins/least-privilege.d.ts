declare class LeastPrivilege {
  constructor(serverless: unknown);
  hooks: Record<string, () => void>;
}

declare namespace LeastPrivilege {
  function wildcardProblems(resources: Record<string, unknown>): string[];
  function dropUnusedSharedRole(resources: Record<string, unknown>): boolean;
}

export = LeastPrivilege;
