// Errors @captioner/db throws on purpose. Each has a stable `code` so the API can map it to a GraphQL
// error code without parsing messages; messages say what went wrong and what to do.

export class DatabaseError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A referenced row does not exist (unknown id). */
export class NotFoundError extends DatabaseError {
  readonly entity: string;
  readonly id: string;
  constructor(entity: string, id: string, options?: { cause?: unknown }) {
    super('NOT_FOUND', `No ${entity} with id "${id}".`, options);
    this.entity = entity;
    this.id = id;
  }
}

/** The database refused the data: a CHECK, UNIQUE or NOT NULL rule. `constraint` names the rule. */
export class ConstraintViolationError extends DatabaseError {
  readonly constraint: string | null;
  constructor(constraint: string | null, message: string, options?: { cause?: unknown }) {
    super('CONSTRAINT_VIOLATION', message, options);
    this.constraint = constraint;
  }
}

/** An import of the same path is already queued or running (one at a time per path, across processes). */
export class ImportJobConflictError extends DatabaseError {
  readonly path: string;
  /** The queued/running job, when it was still active after the refusal (it may finish meanwhile). */
  readonly activeJobId: string | null;
  constructor(path: string, activeJobId: string | null, options?: { cause?: unknown }) {
    super(
      'IMPORT_CONFLICT',
      `An import of ${path} is already queued or running` +
        (activeJobId ? ` (job ${activeJobId}); follow it with importJob(id: "${activeJobId}")` : '') +
        '. Start it again once that job has finished.',
      options,
    );
    this.path = path;
    this.activeJobId = activeJobId;
  }
}

/** Input rejected before it reached the database (malformed cursor, id, settings...). */
export class InvalidInputError extends DatabaseError {
  constructor(message: string) {
    super('INVALID_INPUT', message);
  }
}

/** Another live process already runs the embedded server on this data directory. */
export class DataDirInUseError extends DatabaseError {
  readonly pid: number;
  constructor(dataDir: string, pid: number) {
    super(
      'DATA_DIR_IN_USE',
      `The database directory ${dataDir} is in use by process ${pid}. Stop that process, or point this one ` +
        `elsewhere with CAPTIONER_DATA_DIR=<dir> (or DATABASE_URL=<postgres url> for a shared server).`,
    );
    this.pid = pid;
  }
}

/** The embedded PostgreSQL could not be initialised or started. */
export class EmbeddedServerError extends DatabaseError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('EMBEDDED_SERVER_FAILED', message, options);
  }
}

/** A migration failed (rolled back) or an applied migration's file was edited. */
export class MigrationError extends DatabaseError {
  readonly migration: string;
  constructor(migration: string, message: string, options?: { cause?: unknown }) {
    super('MIGRATION_FAILED', message, options);
    this.migration = migration;
  }
}

/** The PostgreSQL server could not be reached or refused the login. */
export class ConnectionError extends DatabaseError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CONNECTION_FAILED', message, options);
  }
}

/** Object storage (S3) failed or holds something other than what a row says; the message names the object. */
export class ImageStorageError extends DatabaseError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('IMAGE_STORAGE', message, options);
  }
}
