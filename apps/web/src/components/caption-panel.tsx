// One model's caption of an image: the sentence, its scores, the visitor's stars and the beam's alternatives.
import { formatBleu, formatMetric, modelLabel, modelLongName } from '@/lib/format';
import type { CaptionDetail } from '@/lib/fragments';
import { ModelBadge } from './model-badge';
import { NBestList } from './n-best-list';
import { StarRating } from './star-rating';

export function CaptionPanel({ caption }: { caption: CaptionDetail }) {
  const { variant } = caption.model;
  return (
    <article
      className={`caption-panel caption-panel-${variant.toLowerCase()}`}
      aria-label={`${modelLabel(variant)} caption`}
    >
      <header className="caption-panel-header">
        <ModelBadge variant={variant} modelId={caption.model.id} />
        <span className="muted small">{modelLongName(variant)}</span>
      </header>
      <p className="caption-text">{caption.text}</p>
      <dl className="caption-stats">
        <div>
          <dt>BLEU-4</dt>
          <dd title="Smoothed sentence BLEU-4 against the reference captions">{formatBleu(caption.sentenceBleu)}</dd>
        </div>
        <div>
          <dt>ROUGE-L</dt>
          <dd title="Sentence ROUGE-L (longest common subsequence F-measure) against the reference captions, x100">
            {formatMetric(caption.sentenceRougeL)}
          </dd>
        </div>
        <div>
          <dt>CIDEr-D</dt>
          <dd title="Sentence CIDEr-D against the reference captions, x100, with word rarity taken from the references of every image of this dataset split">
            {formatMetric(caption.sentenceCiderD)}
          </dd>
        </div>
        <div>
          <dt>Log-prob</dt>
          <dd>{caption.logProb.toFixed(2)}</dd>
        </div>
        <div>
          <dt>Beam</dt>
          <dd>{caption.decode.beamSize}</dd>
        </div>
        <div>
          <dt>Time</dt>
          <dd>{Math.round(caption.latencyMs)} ms</dd>
        </div>
      </dl>
      <StarRating
        captionId={caption.id}
        label={`Rate the ${modelLabel(variant)} caption`}
        myRating={caption.myRating}
        ratings={caption.ratings}
      />
      <NBestList hypotheses={caption.nBest} />
    </article>
  );
}
