-- Dataset import jobs, durable: the API process that accepts an import stores it queued; a worker (any process on
-- this database) runs it, writing its progress here, so every replica answers importJob(id) from this table.
CREATE TABLE import_jobs (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- The dataset directory, resolved inside the import root (the API checks it before storing).
  path         text NOT NULL,
  format       text NOT NULL,
  dataset      text NOT NULL,
  -- Empty: every split.
  splits       text[] NOT NULL,
  import_limit integer,
  caption      boolean NOT NULL,
  status       text NOT NULL DEFAULT 'queued',
  total        integer NOT NULL DEFAULT 0,
  processed    integer NOT NULL DEFAULT 0,
  created      integer NOT NULL DEFAULT 0,
  skipped      integer NOT NULL DEFAULT 0,
  failed       integer NOT NULL DEFAULT 0,
  -- The first few per-file failures, "file: reason" strings.
  failures     jsonb NOT NULL DEFAULT '[]',
  error        text,
  created_at   timestamptz(3) NOT NULL DEFAULT now(),
  updated_at   timestamptz(3) NOT NULL DEFAULT now(),
  started_at   timestamptz(3),
  finished_at  timestamptz(3),
  CONSTRAINT import_jobs_path_check CHECK (path <> ''),
  CONSTRAINT import_jobs_format_check CHECK (format IN ('flickr8k', 'karpathy', 'kaggle')),
  CONSTRAINT import_jobs_dataset_check CHECK (dataset <> ''),
  CONSTRAINT import_jobs_splits_check CHECK (splits <@ ARRAY['train', 'val', 'test']::text[]),
  CONSTRAINT import_jobs_limit_check CHECK (import_limit IS NULL OR import_limit >= 0),
  CONSTRAINT import_jobs_status_check CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
  CONSTRAINT import_jobs_progress_check CHECK (
    processed BETWEEN 0 AND total AND created >= 0 AND skipped >= 0 AND failed >= 0 AND
    created + skipped + failed = processed),
  CONSTRAINT import_jobs_failures_check CHECK (jsonb_typeof(failures) = 'array'),
  CONSTRAINT import_jobs_failed_check CHECK (status <> 'failed' OR error IS NOT NULL)
);
-- At most one queued or running import per directory, across every API replica: a second start is refused by
-- this index (no read-then-insert race). It also serves "which imports are unfinished" (its predicate).
CREATE UNIQUE INDEX import_jobs_one_active_idx ON import_jobs (path) WHERE status IN ('queued', 'running');
