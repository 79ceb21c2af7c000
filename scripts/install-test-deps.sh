#!/usr/bin/env bash
# Installs what the tests need beyond npm: Debian's PyTorch stack for training/, NLTK (the BLEU reference),
# SciPy (Kendall tau for training/human_agreement.py),
# and Chromium for the browser tests. Safe to re-run; uses sudo only when not root.
set -euo pipefail
packages=(python3-torch python3-torchvision libopenblas0-pthread python3-nltk python3-onnx python3-pytest
  python3-tqdm python3-matplotlib python3-pil python3-scipy chromium)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "test dependencies already installed"
  exit 0
fi
as_root=()
[ "$(id -u)" -eq 0 ] || as_root=(sudo)
echo "installing: ${missing[*]}"
"${as_root[@]}" apt-get update -q
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
