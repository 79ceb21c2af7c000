-- Who uploaded an image: the voter id of the signed voter session that first stored its bytes, so that voter may
-- delete it (Mutation.deleteImage). NULL for dataset imports and for uploads made before this migration or without
-- a session; only an admin can delete those. Deleting an image cascades to its captions, ratings, preferences
-- and reference captions (foreign keys of the init migration).
ALTER TABLE images ADD COLUMN uploader_voter_id text;
