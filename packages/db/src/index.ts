// Public surface of @captioner/db (see README.md).
export { openDatabase, type Database, type DatabaseHealth, type OpenDatabaseOptions } from './open-database.js';
export { decodeSettingsKey } from './decode-settings.js';
export { BLEU_FILTER, IMPORT_FAILURES_KEPT, PAGE_SIZE, RATING_FILTER, STARS } from './limits.js';
export type { Loaders } from './loaders.js';
export type { MigrationResult } from './migrations.js';
export {
  ConnectionError,
  ConstraintViolationError,
  DatabaseError,
  DataDirInUseError,
  EmbeddedServerError,
  ImportJobConflictError,
  InvalidInputError,
  MigrationError,
  NotFoundError,
} from './errors.js';
export type * from './types.js';
