-- Where an image's bytes live. storage 'postgres' (the default, as before): the bytes and thumbnail columns.
-- storage 's3': S3-compatible object storage, objects <object_key>/original and <object_key>/thumbnail; the row holds
-- no bytes. Exactly one location holds them. Every placement in S3 gets a fresh key (never reused), so deleting the
-- objects of a released key can never hit bytes a row still needs.
ALTER TABLE images
  ADD COLUMN storage text NOT NULL DEFAULT 'postgres',
  ADD COLUMN object_key text,
  ALTER COLUMN bytes DROP NOT NULL,
  ALTER COLUMN thumbnail DROP NOT NULL,
  DROP CONSTRAINT images_byte_size_check,
  ADD CONSTRAINT images_byte_size_check CHECK (byte_size > 0 AND (bytes IS NULL OR byte_size = octet_length(bytes))),
  ADD CONSTRAINT images_storage_check CHECK (
    (storage = 'postgres' AND bytes IS NOT NULL AND thumbnail IS NOT NULL AND object_key IS NULL)
    OR (storage = 's3' AND bytes IS NULL AND thumbnail IS NULL AND object_key IS NOT NULL AND object_key <> '')
  ),
  ADD CONSTRAINT images_object_key_key UNIQUE (object_key);

-- The storage migration walks the images of one location in id order.
CREATE INDEX images_storage_id_idx ON images (storage, id);

-- Object keys whose objects are to be deleted: written in the same transaction that stops a row from using them
-- (image deleted, bytes moved back to PostgreSQL), or before objects are written that no row uses yet (not_before in
-- the future, so a cleanup leaves an upload in flight alone). A cleanup deletes the objects, then the row; a crash
-- in between leaves the row for the next cleanup.
CREATE TABLE image_object_deletions (
  object_key text PRIMARY KEY,
  not_before timestamptz(3) NOT NULL DEFAULT now(),
  CONSTRAINT image_object_deletions_object_key_check CHECK (object_key <> '')
);
CREATE INDEX image_object_deletions_not_before_idx ON image_object_deletions (not_before);
