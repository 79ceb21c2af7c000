"""Rescore a shipped model directory: rebuild the model from its own files, decode val and test with the
manifest's decode settings, and rewrite only the manifest's `metrics` (so a manifest written before CIDEr-D
and ROUGE-L gains them). BLEU must come out as the manifest already has it: a difference means the weights,
the features or the decoding are not what export measured, and is reported."""
import json
import sys
from pathlib import Path

from .data import Vocabulary
from .evaluate import evaluate_model
from .export import _shipped_features
from .features import default_cache
from .models import is_frozen
from .train import load_splits
from .weights import load_model_dir

BLEU_TOLERANCE = 1e-6


def rescore(model_dir: Path, data_dir: Path, cache_dir: Path = None) -> dict:
    """The new metrics, also written into <model_dir>/manifest.json. `cache_dir` is the feature cache of a
    frozen encoder (default: the one `python3 -m training features` fills); the shipped encoder's features
    live beside it under its content hash, as export computes them."""
    model_dir = Path(model_dir)
    manifest_path = model_dir / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    model, cfg, tokens = load_model_dir(model_dir)
    vocab = Vocabulary(tokens)
    cfg.data_dir = str(data_dir)  # manifests carry no training-machine paths
    splits = load_splits(cfg)
    dataset_for = None
    if is_frozen(cfg.encoder):
        cfg.feature_cache = str(cache_dir or default_cache(data_dir))
        encoder_path = model_dir / manifest["files"]["encoder"]
        # model.encode runs the backbone load_model_dir attached, rounded as shipped
        dataset_for = _shipped_features(model.encode, cfg, encoder_path, splits["val"] + splits["test"], vocab)

    metrics = {}
    for split in ("val", "test"):
        old = manifest["metrics"][split]
        cfg.max_length = old["decode"]["maxLength"]
        beams = sorted({1, old["decode"]["beamSize"]}) if "bleuGreedy" in old else [old["decode"]["beamSize"]]
        metrics[split] = evaluate_model(model, cfg, vocab, splits[split], split, beams, dataset_for)
        for key in ("bleuGreedy", "bleu"):
            if key in old:
                _warn_if_changed(f"{manifest['id']} {split} {key}", old[key], metrics[split][key])

    manifest["metrics"] = metrics
    partial = manifest_path.with_name("manifest.json.partial")
    partial.write_text(json.dumps(manifest, indent=2))
    partial.replace(manifest_path)
    return metrics


def _warn_if_changed(what: str, before: list, after: list):
    worst = max(abs(a - b) for a, b in zip(before, after))
    if worst > BLEU_TOLERANCE:
        print(f"warning: {what} differs from the manifest by {worst:.3g} (was {before}, now {after}); "
              "check that --data is the dataset the model was exported with and that its encoder file is unchanged",
              file=sys.stderr)
