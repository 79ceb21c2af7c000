-- Per-caption and per-image rating/BLEU aggregates kept by triggers, so the gallery sorts by BLEU or
-- rating through an index instead of aggregating every image's captions and ratings on each page.

ALTER TABLE captions
  ADD COLUMN rating_count integer NOT NULL DEFAULT 0,
  ADD COLUMN rating_sum integer NOT NULL DEFAULT 0,
  ADD CONSTRAINT captions_rating_stats_check CHECK (rating_count >= 0 AND rating_sum BETWEEN rating_count AND 5 * rating_count);

ALTER TABLE images
  ADD COLUMN rating_count integer NOT NULL DEFAULT 0,
  ADD COLUMN rating_sum integer NOT NULL DEFAULT 0,
  ADD COLUMN best_bleu double precision,
  ADD CONSTRAINT images_rating_stats_check CHECK (rating_count >= 0 AND rating_sum BETWEEN rating_count AND 5 * rating_count);

-- Existing rows.
UPDATE captions c SET rating_count = r.n, rating_sum = r.total
  FROM (SELECT caption_id, count(*)::int AS n, sum(stars)::int AS total FROM ratings GROUP BY caption_id) r
  WHERE r.caption_id = c.id;
UPDATE images i SET rating_count = s.n, rating_sum = s.total, best_bleu = s.best
  FROM (SELECT image_id, sum(rating_count)::int AS n, sum(rating_sum)::int AS total, max(sentence_bleu) AS best
        FROM captions GROUP BY image_id) s
  WHERE s.image_id = i.id;

-- A rating added, changed or removed moves its caption's and image's counters by the difference.
-- Deltas commute, so concurrent ratings never lose an update.
CREATE FUNCTION captioner_rating_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  target uuid;
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    UPDATE captions SET rating_count = rating_count - 1, rating_sum = rating_sum - OLD.stars
      WHERE id = OLD.caption_id RETURNING image_id INTO target;
    -- No caption row: it is being deleted (cascade), and its own trigger settles the image.
    IF target IS NOT NULL THEN
      UPDATE images SET rating_count = rating_count - 1, rating_sum = rating_sum - OLD.stars WHERE id = target;
    END IF;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    UPDATE captions SET rating_count = rating_count + 1, rating_sum = rating_sum + NEW.stars
      WHERE id = NEW.caption_id RETURNING image_id INTO target;
    IF target IS NOT NULL THEN
      UPDATE images SET rating_count = rating_count + 1, rating_sum = rating_sum + NEW.stars WHERE id = target;
    END IF;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER ratings_keep_stats
  AFTER INSERT OR DELETE OR UPDATE OF stars, caption_id ON ratings
  FOR EACH ROW EXECUTE FUNCTION captioner_rating_changed();

-- A caption added, removed or re-scored changes its image's best BLEU (recomputed under the image's
-- row lock, so two captions of one image changing at once cannot overwrite each other's result).
CREATE FUNCTION captioner_caption_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  target uuid := CASE WHEN TG_OP = 'DELETE' THEN OLD.image_id ELSE NEW.image_id END;
BEGIN
  PERFORM 1 FROM images WHERE id = target FOR UPDATE;
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

CREATE TRIGGER captions_keep_image_stats
  AFTER INSERT OR DELETE OR UPDATE OF sentence_bleu ON captions
  FOR EACH ROW EXECUTE FUNCTION captioner_caption_changed();

-- The gallery's sorts, highest first with unscored images last (the expressions must match the queries).
CREATE INDEX images_bleu_sort_idx ON images ((COALESCE(best_bleu, -1)) DESC, id DESC);
CREATE INDEX images_rating_sort_idx ON images ((COALESCE(rating_sum::float8 / NULLIF(rating_count, 0), -1)) DESC, id DESC);
CREATE INDEX captions_model_id_image_id_idx ON captions (model_id, image_id);
