"""Export a trained run to the model-directory contract (models/README.md): encoder/init/step ONNX graphs,
vocab, manifest (the seed's table: params, loss, BLEU-n on val and test) and golden.json.

The graphs are checked against PyTorch before the manifest is written, so a directory with a manifest is
a verified one. Parameters keep their PyTorch names as ONNX initializers (no constant folding), so the
PyTorch side can be rebuilt from the shipped files alone (see weights.py) without a second copy.
"""
import hashlib
import inspect
import json
import shutil
from pathlib import Path

import torch
import torch.nn as nn
from PIL import Image

from .data import END, START
from .decode import beam_search
from .evaluate import evaluate_model
from .images import make_transform, resize, to_tensor
from .models import count_parameters
from .onnx_check import check_graphs
from .train import load_run, load_splits

OPSET = 17
FORMAT = 1


class EncoderGraph(nn.Module):
    def __init__(self, model):
        super().__init__()
        self.encoder = model.encoder

    def forward(self, image):
        return self.encoder(image)


class InitGraph(nn.Module):
    def __init__(self, model):
        super().__init__()
        self.decoder = model.decoder

    def forward(self, features):
        return self.decoder.init_state(features)


class StepGraph(nn.Module):
    def __init__(self, model):
        super().__init__()
        self.decoder = model.decoder
        self.attention = model.cfg.variant == "attention"

    def forward(self, token, h, c, features=None):
        logprobs, h, c, alpha = self.decoder.step(token, h, c, features)
        return (logprobs, h, c, alpha) if self.attention else (logprobs, h, c)


# torch >= 2.5 can export through dynamo (the default from 2.9); the contract relies on the TorchScript
# exporter's names and dynamic axes, so ask for it wherever the choice exists.
_EXPORTER = {"dynamo": False} if "dynamo" in inspect.signature(torch.onnx.export).parameters else {}


def _export(module, args, path, inputs, outputs, dynamic):
    torch.onnx.export(module, args, str(path), input_names=inputs, output_names=outputs, dynamic_axes=dynamic,
                      opset_version=OPSET, do_constant_folding=False, training=torch.onnx.TrainingMode.PRESERVE,
                      **_EXPORTER)


def export_graphs(model, cfg, out: Path, sample_images):
    """Write the three graphs; returns the sample inputs and PyTorch's outputs for verification."""
    model.eval()
    attention = cfg.variant == "attention"
    with torch.no_grad():
        features = model.encoder(sample_images)
        h, c = model.decoder.init_state(features)
        token = torch.full((sample_images.size(0),), START, dtype=torch.long)
        step_out = StepGraph(model)(token, h, c, features if attention else None)
    _export(EncoderGraph(model), (sample_images,), out / "encoder.onnx", ["image"], ["features"],
            {"image": {0: "n"}, "features": {0: "n"}})
    _export(InitGraph(model), (features,), out / "init.onnx", ["features"], ["h", "c"],
            {"features": {0: "n"}, "h": {1: "n"}, "c": {1: "n"}})
    step_inputs = ["token", "h", "c"] + (["features"] if attention else [])
    step_outputs = ["logprobs", "h_out", "c_out"] + (["alpha"] if attention else [])
    dynamic = {name: {0: "n"} for name in ["token", "features", "logprobs", "alpha"]}
    dynamic.update({name: {1: "n"} for name in ["h", "c", "h_out", "c_out"]})
    step_args = (token, h, c, features) if attention else (token, h, c)
    _export(StepGraph(model), step_args, out / "step.onnx", step_inputs, step_outputs,
            {k: v for k, v in dynamic.items() if k in step_inputs + step_outputs})
    expected = {
        "encoder": ({"image": sample_images}, {"features": features}),
        "init": ({"features": features}, {"h": h, "c": c}),
        "step": (dict(zip(step_inputs, step_args)), dict(zip(step_outputs, step_out))),
    }
    return expected


@torch.no_grad()
def golden(model, cfg, vocab, example, out: Path):
    """One test image at model resolution (PNG: no resampling or JPEG noise for the runtime to differ on),
    its tensor checksum, PyTorch's greedy tokens with their log-probs and the first step's top 5."""
    image = resize(Image.open(example.path), cfg.image_size)
    image.save(out / "golden.png")
    x = to_tensor(Image.open(out / "golden.png"), cfg.mean, cfg.std).unsqueeze(0)  # (1, 3, H, W)
    features = model.encoder(x)
    h, c = model.decoder.init_state(features)
    token = torch.tensor([START])
    tokens, logprobs, first = [], [], None
    for _ in range(cfg.max_length + 1):
        lp, h, c, _ = model.decoder.step(token, h, c, features)
        if first is None:
            top = lp[0].topk(5)
            first = [{"token": int(i), "logprob": float(v)} for v, i in zip(top.values, top.indices)]
        best = int(lp[0].argmax()) if len(tokens) < cfg.max_length else END
        logprobs.append(float(lp[0, best]))
        if best == END:
            break
        tokens.append(best)
        token = torch.tensor([best])
    searched, _ = beam_search(model, x, 1, cfg.max_length)[0]
    assert searched == tokens, f"beam 1 {searched} differs from greedy {tokens}"
    record = {
        "image": "golden.png",
        "source": example.file,
        "tensor": {"shape": list(x.shape), "sum": float(x.double().sum()), "sumAbs": float(x.double().abs().sum())},
        "greedy": {"tokens": tokens, "words": [vocab.tokens[t] for t in tokens], "logprobs": logprobs},
        "firstStep": {"top": first},
    }
    (out / "golden.json").write_text(json.dumps(record, indent=2))
    return record


def _epochs_run(run_dir: Path) -> int:
    log = run_dir / "log.csv"
    return max(0, len(log.read_text().splitlines()) - 1) if log.exists() else 0


def export_run(run_dir: Path, out: Path, model_id: str = None) -> Path:
    model, cfg, vocab, state = load_run(run_dir)
    model_id = model_id or out.name
    splits = load_splits(cfg)
    staging = out.with_name(out.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    (staging / "vocab.json").write_text(json.dumps(vocab.tokens))

    transform = make_transform(cfg.image_size, cfg.mean, cfg.std)
    samples = torch.stack([transform(Image.open(e.path)) for e in splits["test"][:3]])
    expected = export_graphs(model, cfg, staging, samples)
    report = check_graphs(staging, expected, tolerance=1e-4)
    print(f"ONNX matches PyTorch: {report}")
    golden(model, cfg, vocab, splits["test"][0], staging)

    metrics = {split: evaluate_model(model, cfg, vocab, splits[split], split, [1, cfg.beam_size]) for split in ("val", "test")}
    grid = cfg.grid_size if cfg.variant == "attention" else 1
    manifest = {
        "format": FORMAT,
        "id": model_id,
        "variant": cfg.variant,
        "dataset": {"name": cfg.dataset_name, "splits": {s: len(v) for s, v in splits.items()}},
        "image": {"height": cfg.image_size, "width": cfg.image_size, "mean": cfg.mean, "std": cfg.std, "resize": "fill"},
        "grid": {"rows": grid, "cols": grid},
        "vocab": "vocab.json",
        "specials": {"pad": 0, "start": 1, "end": 2, "unk": 3},
        "maxLength": cfg.max_length,
        "files": {"encoder": "encoder.onnx", "init": "init.onnx", "step": "step.onnx"},
        "sha256": {name: hashlib.sha256((staging / name).read_bytes()).hexdigest()
                   for name in ("encoder.onnx", "init.onnx", "step.onnx", "vocab.json")},
        "params": count_parameters(model),
        "metrics": metrics,
        "training": {"epochs": _epochs_run(run_dir), "keptEpoch": state["epoch"], "bestValBleu4Greedy": state["best_bleu4"]},
        "hyperparameters": cfg.to_dict(),
    }
    for name in ("log.csv", "curves.png"):
        if (run_dir / name).exists():
            shutil.copy(run_dir / name, staging / ("training-log.csv" if name == "log.csv" else "training-curves.png"))
    (staging / "manifest.json").write_text(json.dumps(manifest, indent=2))
    if out.exists():
        shutil.rmtree(out)
    staging.rename(out)
    return out
