// Public surface of @captioner/db (see README.md).
export { startEmbeddedServer, type EmbeddedServer } from './embedded-server.js';
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
  ImageStorageError,
  ImportJobConflictError,
  InvalidInputError,
  MigrationError,
  NotFoundError,
} from './errors.js';
export type * from './types.js';
export {
  IMAGE_LOCATIONS,
  type ImageLocation,
  type ImageStorageOptions,
  type ObjectStore,
} from './storage/object-store.js';
export { createS3ObjectStore, type S3ObjectStoreOptions } from './storage/s3-object-store.js';
export {
  migrateImageStorage,
  type StorageMigrationOptions,
  type StorageMigrationProgress,
  type StorageMigrationResult,
} from './storage/migrate-storage.js';
