declare class OfflineQueueFunctions {
  constructor(serverless: { service: { functions?: Record<string, { events?: unknown[] }> } });
  hooks: Record<string, () => void>;
}

declare namespace OfflineQueueFunctions {
  function isQueueTriggered(fn: { events?: unknown[] }): boolean;
}

export = OfflineQueueFunctions;
