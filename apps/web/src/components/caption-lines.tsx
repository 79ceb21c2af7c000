// Each model's caption in one line: its badge, the text and, where references exist, its sentence BLEU-4.
import { formatBleu } from '@/lib/format';
import type { ModelVariant } from '@/lib/fragments';
import { ModelBadge } from './model-badge';

interface CaptionLine {
  id: string;
  text: string;
  sentenceBleu: number | null;
  model: { id: string; variant: ModelVariant };
}

export function CaptionLines({ captions }: { captions: readonly CaptionLine[] }) {
  return (
    <ul className="caption-lines">
      {captions.map((caption) => (
        <li key={caption.id} className="caption-line">
          <ModelBadge variant={caption.model.variant} modelId={caption.model.id} />
          <span className="caption-line-text">{caption.text}</span>
          {caption.sentenceBleu !== null && (
            <span className="caption-line-bleu" title="Sentence BLEU-4 against the references">
              {formatBleu(caption.sentenceBleu)}
            </span>
          )}
        </li>
      ))}
    </ul>
  );
}
