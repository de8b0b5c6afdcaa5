import { readFileSync } from 'node:fs';
import type { TaskDefinition } from './catalogue';
import { CatalogueError } from './task-errors';

/**
 * The definitions of a catalogue kept in a file of its own (TASK_CATALOGUE), in config/tasks.json's
 * format: read once, when the services are built. A file that cannot be read or is not a JSON
 * object is a CatalogueError naming it.
 */
export function readCatalogueFile(file: string): Record<string, TaskDefinition> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new CatalogueError(`cannot be read as JSON (${(cause as Error).message})`, file, 'file', { cause });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new CatalogueError('must be a JSON object of task definitions', file, 'file');
  }
  return parsed as Record<string, TaskDefinition>;
}
