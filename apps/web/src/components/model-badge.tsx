// The colour-coded model chip used wherever a caption names its model.
import { modelLabel, modelLongName } from '@/lib/format';
import type { ModelVariant } from '@/lib/fragments';

export function ModelBadge({ variant, modelId }: { variant: ModelVariant; modelId?: string }) {
  return (
    <span className={`model-badge model-${variant.toLowerCase()}`} title={modelId ?? modelLongName(variant)}>
      {modelLabel(variant)}
    </span>
  );
}
