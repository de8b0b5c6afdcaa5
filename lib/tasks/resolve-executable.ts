import { accessSync, constants } from 'node:fs';
import path from 'node:path';

/** The PATH that tasks see, and where bare command names are looked up. */
export const TASK_PATH = '/usr/local/bin:/usr/bin:/bin';

/**
 * The absolute path of a command, looked up once when the catalogue loads so that nothing
 * later depends on the PATH of whoever runs the consumer. Returns undefined when not found.
 */
export function resolveExecutable(command: string, searchPath: string = TASK_PATH): string | undefined {
  const candidates = path.isAbsolute(command)
    ? [command]
    : command.includes('/')
      ? []
      : searchPath.split(':').map((dir) => path.join(dir, command));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}
