-- Two models saving captions of one image at once deadlocked: each INSERT holds a FOR KEY SHARE lock on the
-- image row (the foreign key check), then the trigger asked for FOR UPDATE, which conflicts with the other's
-- KEY SHARE. FOR NO KEY UPDATE does not conflict with KEY SHARE, so the second writer now simply waits for
-- the first to commit, and the best BLEU is still recomputed under the image's row lock.
CREATE OR REPLACE FUNCTION captioner_caption_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  target uuid := CASE WHEN TG_OP = 'DELETE' THEN OLD.image_id ELSE NEW.image_id END;
BEGIN
  PERFORM 1 FROM images WHERE id = target FOR NO KEY UPDATE;
  IF NOT FOUND THEN
    RETURN NULL; -- the image itself is being deleted
  END IF;
  UPDATE images SET best_bleu = (SELECT max(sentence_bleu) FROM captions WHERE image_id = target)
    WHERE id = target;
  IF TG_OP = 'DELETE' AND OLD.rating_count > 0 THEN
    UPDATE images SET rating_count = rating_count - OLD.rating_count, rating_sum = rating_sum - OLD.rating_sum
      WHERE id = target;
  END IF;
  RETURN NULL;
END $$;
