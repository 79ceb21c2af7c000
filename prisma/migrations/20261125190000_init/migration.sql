-- Initial schema of the caption service. Mirrors prisma/schema.prisma; constraints live here so bad
-- data is refused by the database itself, whoever writes it.

CREATE TABLE images (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  sha256         text NOT NULL,
  bytes          bytea NOT NULL,
  mime           text NOT NULL,
  byte_size      integer NOT NULL,
  width          integer NOT NULL,
  height         integer NOT NULL,
  thumbnail      bytea NOT NULL,
  thumbnail_mime text NOT NULL DEFAULT 'image/webp',
  filename       text,
  source         text NOT NULL,
  dataset        text,
  split          text,
  created_at     timestamptz(3) NOT NULL DEFAULT now(),
  CONSTRAINT images_sha256_key UNIQUE (sha256),
  CONSTRAINT images_sha256_check CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  CONSTRAINT images_mime_check CHECK (mime LIKE 'image/%'),
  CONSTRAINT images_thumbnail_mime_check CHECK (thumbnail_mime LIKE 'image/%'),
  CONSTRAINT images_byte_size_check CHECK (byte_size > 0 AND byte_size = octet_length(bytes)),
  CONSTRAINT images_dimensions_check CHECK (width > 0 AND height > 0),
  CONSTRAINT images_source_check CHECK (source IN ('upload', 'dataset')),
  CONSTRAINT images_split_check CHECK (split IS NULL OR split IN ('train', 'val', 'test')),
  CONSTRAINT images_dataset_check CHECK (dataset IS NULL OR dataset <> '')
);
CREATE INDEX images_created_at_id_idx ON images (created_at DESC, id DESC);
CREATE INDEX images_split_created_at_idx ON images (split, created_at DESC);
CREATE INDEX images_source_created_at_idx ON images (source, created_at DESC);
CREATE INDEX images_dataset_split_idx ON images (dataset, split);

CREATE TABLE reference_captions (
  id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  image_id   uuid NOT NULL REFERENCES images (id) ON DELETE CASCADE,
  text       text NOT NULL,
  position   integer NOT NULL DEFAULT 0,
  search     tsvector GENERATED ALWAYS AS (to_tsvector('english', text)) STORED,
  created_at timestamptz(3) NOT NULL DEFAULT now(),
  CONSTRAINT reference_captions_image_id_text_key UNIQUE (image_id, text),
  CONSTRAINT reference_captions_text_check CHECK (btrim(text) <> ''),
  CONSTRAINT reference_captions_position_check CHECK (position >= 0)
);
CREATE INDEX reference_captions_image_id_position_idx ON reference_captions (image_id, position);
CREATE INDEX reference_captions_search_idx ON reference_captions USING GIN (search);

CREATE TABLE models (
  id         text PRIMARY KEY,
  variant    text NOT NULL,
  dataset    text NOT NULL,
  format     integer NOT NULL,
  manifest   jsonb NOT NULL,
  params     jsonb NOT NULL,
  metrics    jsonb NOT NULL,
  created_at timestamptz(3) NOT NULL DEFAULT now(),
  updated_at timestamptz(3) NOT NULL DEFAULT now(),
  CONSTRAINT models_id_check CHECK (id ~ '^[a-z0-9][a-z0-9._-]*$'),
  CONSTRAINT models_variant_check CHECK (variant IN ('lstm', 'attention')),
  CONSTRAINT models_format_check CHECK (format >= 1)
);

CREATE TABLE captions (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  image_id      uuid NOT NULL REFERENCES images (id) ON DELETE CASCADE,
  model_id      text NOT NULL REFERENCES models (id) ON DELETE CASCADE,
  settings_key  text NOT NULL,
  settings      jsonb NOT NULL,
  text          text NOT NULL,
  tokens        text[] NOT NULL,
  token_ids     integer[] NOT NULL,
  log_prob      double precision NOT NULL,
  n_best        jsonb NOT NULL,
  attention     jsonb,
  sentence_bleu double precision,
  latency_ms    double precision NOT NULL,
  search        tsvector GENERATED ALWAYS AS (to_tsvector('english', text)) STORED,
  created_at    timestamptz(3) NOT NULL DEFAULT now(),
  CONSTRAINT captions_image_model_settings_key UNIQUE (image_id, model_id, settings_key),
  -- lets preferences reference (caption, image, model) so the database keeps a pair on one image
  CONSTRAINT captions_id_image_model_key UNIQUE (id, image_id, model_id),
  CONSTRAINT captions_settings_key_check CHECK (settings_key <> ''),
  CONSTRAINT captions_token_ids_check CHECK (cardinality(token_ids) = cardinality(tokens)),
  CONSTRAINT captions_log_prob_check CHECK (log_prob <= 0),
  CONSTRAINT captions_sentence_bleu_check CHECK (sentence_bleu IS NULL OR (sentence_bleu >= 0 AND sentence_bleu <= 1)),
  CONSTRAINT captions_latency_ms_check CHECK (latency_ms >= 0)
);
CREATE INDEX captions_image_id_idx ON captions (image_id);
CREATE INDEX captions_model_id_sentence_bleu_idx ON captions (model_id, sentence_bleu);
CREATE INDEX captions_search_idx ON captions USING GIN (search);

CREATE TABLE ratings (
  id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  caption_id uuid NOT NULL REFERENCES captions (id) ON DELETE CASCADE,
  voter_id   text NOT NULL,
  stars      integer NOT NULL,
  created_at timestamptz(3) NOT NULL DEFAULT now(),
  updated_at timestamptz(3) NOT NULL DEFAULT now(),
  CONSTRAINT ratings_caption_voter_key UNIQUE (caption_id, voter_id),
  CONSTRAINT ratings_stars_check CHECK (stars BETWEEN 1 AND 5),
  CONSTRAINT ratings_voter_id_check CHECK (length(voter_id) BETWEEN 1 AND 200)
);

CREATE TABLE preferences (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  image_id     uuid NOT NULL REFERENCES images (id) ON DELETE CASCADE,
  caption_a_id uuid NOT NULL,
  model_a_id   text NOT NULL,
  caption_b_id uuid NOT NULL,
  model_b_id   text NOT NULL,
  winner       text NOT NULL,
  voter_id     text NOT NULL,
  created_at   timestamptz(3) NOT NULL DEFAULT now(),
  updated_at   timestamptz(3) NOT NULL DEFAULT now(),
  CONSTRAINT preferences_caption_a_fkey FOREIGN KEY (caption_a_id, image_id, model_a_id)
    REFERENCES captions (id, image_id, model_id) ON DELETE CASCADE,
  CONSTRAINT preferences_caption_b_fkey FOREIGN KEY (caption_b_id, image_id, model_b_id)
    REFERENCES captions (id, image_id, model_id) ON DELETE CASCADE,
  CONSTRAINT preferences_voter_pair_key UNIQUE (voter_id, caption_a_id, caption_b_id),
  CONSTRAINT preferences_pair_order_check CHECK (caption_a_id < caption_b_id),
  CONSTRAINT preferences_distinct_models_check CHECK (model_a_id <> model_b_id),
  CONSTRAINT preferences_winner_check CHECK (winner IN ('A', 'B', 'TIE')),
  CONSTRAINT preferences_voter_id_check CHECK (length(voter_id) BETWEEN 1 AND 200)
);
CREATE INDEX preferences_models_idx ON preferences (model_a_id, model_b_id);
CREATE INDEX preferences_image_id_idx ON preferences (image_id);
CREATE INDEX preferences_caption_b_idx ON preferences (caption_b_id, image_id, model_b_id);

CREATE TABLE evaluation_runs (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  model_id       text NOT NULL REFERENCES models (id) ON DELETE CASCADE,
  dataset        text,
  split          text NOT NULL,
  settings_key   text NOT NULL,
  settings       jsonb NOT NULL,
  status         text NOT NULL DEFAULT 'queued',
  done           integer NOT NULL DEFAULT 0,
  total          integer NOT NULL DEFAULT 0,
  reused_captions integer NOT NULL DEFAULT 0,
  bleu1          double precision,
  bleu2          double precision,
  bleu3          double precision,
  bleu4          double precision,
  metric_version text NOT NULL,
  error          text,
  created_at     timestamptz(3) NOT NULL DEFAULT now(),
  updated_at     timestamptz(3) NOT NULL DEFAULT now(),
  started_at     timestamptz(3),
  finished_at    timestamptz(3),
  CONSTRAINT evaluation_runs_status_check CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
  CONSTRAINT evaluation_runs_progress_check CHECK (done >= 0 AND total >= 0 AND done <= total AND reused_captions BETWEEN 0 AND done),
  CONSTRAINT evaluation_runs_bleu_check CHECK (
    (bleu1 IS NULL OR bleu1 BETWEEN 0 AND 1) AND (bleu2 IS NULL OR bleu2 BETWEEN 0 AND 1) AND
    (bleu3 IS NULL OR bleu3 BETWEEN 0 AND 1) AND (bleu4 IS NULL OR bleu4 BETWEEN 0 AND 1)),
  CONSTRAINT evaluation_runs_succeeded_check CHECK (
    status <> 'succeeded' OR (bleu1 IS NOT NULL AND bleu2 IS NOT NULL AND bleu3 IS NOT NULL AND bleu4 IS NOT NULL)),
  CONSTRAINT evaluation_runs_failed_check CHECK (status <> 'failed' OR error IS NOT NULL),
  CONSTRAINT evaluation_runs_split_check CHECK (split IN ('train', 'val', 'test')),
  CONSTRAINT evaluation_runs_dataset_check CHECK (dataset IS NULL OR dataset <> ''),
  CONSTRAINT evaluation_runs_settings_key_check CHECK (settings_key <> '')
);
-- At most one queued or running run per model + dataset (NULL = every dataset) + split + decode settings:
-- a second start joins the first. COALESCE rather than NULLS NOT DISTINCT so PostgreSQL < 15 works too.
CREATE UNIQUE INDEX evaluation_runs_one_active_idx
  ON evaluation_runs (model_id, (COALESCE(dataset, '')), split, settings_key)
  WHERE status IN ('queued', 'running');
CREATE INDEX evaluation_runs_model_split_created_at_idx ON evaluation_runs (model_id, split, created_at DESC);
CREATE INDEX evaluation_runs_status_created_at_idx ON evaluation_runs (status, created_at);
