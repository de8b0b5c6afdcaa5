/** What went wrong, as one line for a log or a record: an error's message, or the thing itself. */
export const reasonOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));
