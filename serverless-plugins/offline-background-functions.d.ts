declare class OfflineBackgroundFunctions {
  constructor(serverless: { service: { functions?: Record<string, { events?: unknown[] }> } });
  hooks: Record<string, () => void>;
}

declare namespace OfflineBackgroundFunctions {
  function isBackground(fn: { events?: unknown[] }): boolean;
}

export = OfflineBackgroundFunctions;
