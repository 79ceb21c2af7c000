"""Export round trip: train a few steps on the fixture, export, and check ONNX against PyTorch."""
import json

import numpy as np
import pytest
import torch

from training.__main__ import main
from training.onnx_check import run_graph
from training.tests.conftest import FIXTURES
from training.weights import load_model_dir


@pytest.mark.parametrize("variant", ["lstm", "attention"])
def test_export_round_trip(tmp_path, variant):
    run, out = tmp_path / "run", tmp_path / f"fixture-{variant}"
    main(["train", "--variant", variant, "--data", str(FIXTURES / "flickr8k"), "--run", str(run), "--epochs", "1",
          "--min-word-count", "1", "--captions-per-image", "1"])
    main(["export", "--run", str(run), "--out", str(out)])
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["format"] == 2 and manifest["variant"] == variant
    assert len(manifest["metrics"]["test"]["bleu"]) == 4
    assert manifest["params"]["total"] > 0
    golden = json.loads((out / "golden.json").read_text())
    assert golden["tensor"]["shape"] == [1, 3, 64, 64]

    model, cfg, tokens = load_model_dir(out)  # the PyTorch model rebuilt from the ONNX initializers
    images = torch.randn(5, 3, 64, 64)  # another batch size than the export's
    with torch.no_grad():
        features = model.encoder(images)
        h, c = model.decoder.init_state(features)
        token = torch.full((5,), 1, dtype=torch.long)
        logprobs, *_ = model.decoder.step(token, h, c, features)
    onnx_features = run_graph(out, "encoder", {"image": images.numpy()})["features"]
    state = run_graph(out, "init", {"features": onnx_features})
    feeds = {"token": token.numpy(), "h": state["h"], "c": state["c"]}
    if variant == "attention":
        feeds.update(features=onnx_features, projected=state["projected"])  # format 2: projected once per image
    step = run_graph(out, "step", feeds)
    assert np.abs(step["logprobs"] - logprobs.numpy()).max() < 1e-4
    assert ("alpha" in step) == (variant == "attention")


def test_warm_start_continues_from_a_shipped_directory(tmp_path):
    """A run whose checkpoints are gone continues from the exported weights and training log."""
    run, out, again = tmp_path / "run", tmp_path / "fixture-attention", tmp_path / "again"
    common = ["--variant", "attention", "--data", str(FIXTURES / "flickr8k"), "--min-word-count", "1",
              "--captions-per-image", "1"]
    main(["train", *common, "--run", str(run), "--epochs", "1"])
    main(["export", "--run", str(run), "--out", str(out)])
    shipped, _, _ = load_model_dir(out)

    main(["train", *common, "--run", str(again), "--epochs", "2", "--warm-start", str(out)])
    log = (again / "log.csv").read_text().splitlines()
    assert [line.split(",")[0] for line in log] == ["epoch", "1", "2"]  # epoch 1 carried over, epoch 2 trained
    assert (again / "vocab.json").read_text() == (out / "vocab.json").read_text()
    ckpt = torch.load(again / "last.pt", map_location="cpu")
    assert ckpt["state"]["epoch"] == 2
    before = shipped.decoder.fc.weight
    after = ckpt["model"]["decoder.fc.weight"]
    assert after.shape == before.shape and 0 < (after - before).abs().max() < 0.1  # trained on from, not anew

    mismatched = tmp_path / "lstm"
    with pytest.raises(ValueError, match="variant"):
        main(["train", "--variant", "lstm", "--data", str(FIXTURES / "flickr8k"), "--run", str(mismatched),
              "--epochs", "2", "--min-word-count", "1", "--warm-start", str(out)])
