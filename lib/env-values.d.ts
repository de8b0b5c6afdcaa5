/** A boolean setting; `undefined` for a spelling that is neither true nor false. */
export function parseFlag(raw: string | undefined | null, fallback?: boolean): boolean | undefined;
/** Web origins, separated by commas or spaces; throws naming a bad entry. */
export function parseOrigins(raw: string | undefined | null): string[];
