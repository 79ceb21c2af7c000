"""Loss, corpus BLEU-1..4 (greedy and beam), CIDEr-D and ROUGE-L of decoded captions on val and test."""
import json
from pathlib import Path

from .bleu import tokenize
from .data import CaptionDataset, FeatureDataset
from .features import FeatureCache
from .images import make_transform
from .metrics import cider_d, rouge_l
from .train import batches, decode_bleu, load_run, load_splits, validation_loss


def eval_dataset(cfg, vocab, examples):
    """Cached features when the run has them (same encoder, one pass per image), else images."""
    if cfg.feature_cache and (Path(cfg.feature_cache) / "meta.json").exists():
        return FeatureDataset(examples, vocab, FeatureCache.open(Path(cfg.feature_cache)), cfg.max_length)
    return CaptionDataset(examples, vocab, make_transform(cfg.image_size, cfg.mean, cfg.std), cfg.max_length)


def evaluate_model(model, cfg, vocab, examples, split: str, beam_sizes, dataset_for=None) -> dict:
    """The manifest's metrics entry for one split: `bleu`, `cider` and `rougeL` score the last (largest) beam
    size's captions. `dataset_for(examples)` overrides where the features come from."""
    dataset = dataset_for(examples) if dataset_for else eval_dataset(cfg, vocab, examples)
    loss = validation_loss(model, batches(dataset, 100, False, 0), alpha_c=0.0)  # cross-entropy only, comparable across variants
    result = {"loss": loss}
    references = [[tokenize(c) for c in e.captions] for e in dataset.examples]  # as decode_bleu scores them
    scored = None  # the captions `bleu` scores, so all three metrics describe the same decoding
    for beam in beam_sizes:
        bleu, hypotheses = decode_bleu(model, dataset, vocab, beam, cfg.max_length, desc=f"{split} beam {beam}")
        result["bleuGreedy" if beam == 1 else "bleu"] = bleu
        if beam != 1:
            result["decode"] = {"beamSize": beam, "maxLength": cfg.max_length, "lengthNormalized": True}
            scored = hypotheses
    result.setdefault("bleu", result.get("bleuGreedy"))
    scored = scored if scored is not None else hypotheses
    result["cider"] = cider_d(scored, references)[0]
    result["rougeL"] = rouge_l(scored, references)[0]
    result.setdefault("decode", {"beamSize": 1, "maxLength": cfg.max_length, "lengthNormalized": True})
    return result


def evaluate_run(run_dir: Path, beam_sizes) -> dict:
    model, cfg, vocab, _ = load_run(run_dir)
    splits = load_splits(cfg)
    return {split: evaluate_model(model, cfg, vocab, splits[split], split, sorted(beam_sizes)) for split in ("val", "test")}
