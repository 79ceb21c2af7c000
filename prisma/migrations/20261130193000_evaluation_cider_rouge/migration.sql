-- Evaluation runs gain corpus CIDEr-D and ROUGE-L (docs/metrics.md), each stored with the version of its
-- definition, as BLEU is with metric_version. A value and its version are written together when a run
-- succeeds, so runs finished before this migration keep NULL in both: "not measured", never a score of 0.
ALTER TABLE evaluation_runs
  ADD COLUMN cider double precision,
  ADD COLUMN cider_version text,
  ADD COLUMN rouge_l double precision,
  ADD COLUMN rouge_l_version text,
  -- Each cosine term is at most 1, so CIDEr-D (x10) lies in 0..10; ROUGE-L is an F-measure.
  ADD CONSTRAINT evaluation_runs_cider_check CHECK (cider IS NULL OR cider BETWEEN 0 AND 10),
  ADD CONSTRAINT evaluation_runs_rouge_l_check CHECK (rouge_l IS NULL OR rouge_l BETWEEN 0 AND 1),
  ADD CONSTRAINT evaluation_runs_cider_version_check CHECK ((cider IS NULL) = (cider_version IS NULL)),
  ADD CONSTRAINT evaluation_runs_rouge_l_version_check CHECK ((rouge_l IS NULL) = (rouge_l_version IS NULL));
