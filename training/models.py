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
    encoder: str = "smallcnn"       # "smallcnn" (trained from scratch) or "resnet50" (frozen ImageNet)
    vocab_size: int = 0
    embed_dim: int = 512            # seed: 256 for lstm, 512 for attention
    hidden_dim: int = 512           # seed: 256 for lstm, 512 for attention
    attention_dim: int = 256        # attention only
    num_layers: int = 1             # seed: 2 for lstm; attention uses one LSTMCell
    dropout: float = 0.5            # seed: 0.3 for lstm, 0.5 for attention
    image_size: int = 64            # 224 for resnet50
    grid_size: int = 8              # attention regions per side (14 for resnet50, as in the paper)


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


class ResNet50Backbone(nn.Module):
    """Frozen ImageNet ResNet50 without its pooling and classifier: (N, 2048, grid, grid)."""

    def __init__(self, grid_size: int = 14):
        super().__init__()
        import torchvision
        try:
            weights = torchvision.models.ResNet50_Weights.IMAGENET1K_V1
            net = torchvision.models.resnet50(weights=weights)
        except Exception as error:  # no network, no cache: say how to fix it
            raise RuntimeError(
                "could not load torchvision's ImageNet ResNet50 weights "
                f"({error}). Run once with internet access so torchvision caches them under "
                "~/.cache/torch/hub/checkpoints, or copy resnet50-0676ba61.pth there."
            ) from error
        self.body = nn.Sequential(*list(net.children())[:-2])
        self.pool = nn.AdaptiveAvgPool2d(grid_size)
        self.out_dim = 2048
        for p in self.body.parameters():
            p.requires_grad = False

    def train(self, mode: bool = True):
        super().train(mode)
        self.body.eval()  # frozen: keep BatchNorm statistics fixed
        return self

    def forward(self, images):
        with torch.no_grad():
            x = self.body(images)
        return self.pool(x)


def build_backbone(cfg: ModelConfig) -> nn.Module:
    if cfg.encoder == "smallcnn":
        return SmallCNN(cfg.grid_size)
    if cfg.encoder == "resnet50":
        return ResNet50Backbone(cfg.grid_size)
    raise ValueError(f"unknown encoder {cfg.encoder!r}; use 'smallcnn' or 'resnet50'")


class Encoder(nn.Module):
    """Image -> region features (N, P, D). For Show and Tell, P=1: the pooled feature projected to the
    embedding size, which replaces ResNet's last layer as in the seed."""

    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.variant = cfg.variant
        self.backbone = build_backbone(cfg)
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
    """Vinyals et al.: the image feature is the LSTM's first input, then the words."""

    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.cfg = cfg
        self.embed = nn.Embedding(cfg.vocab_size, cfg.embed_dim)
        self.dropout = nn.Dropout(cfg.dropout)
        self.lstm = nn.LSTM(cfg.embed_dim, cfg.hidden_dim, cfg.num_layers, batch_first=True,
                            dropout=cfg.dropout if cfg.num_layers > 1 else 0.0)
        self.fc = nn.Linear(cfg.hidden_dim, cfg.vocab_size)

    def forward(self, features, inputs):
        """features (B, 1, E); inputs (B, T) = start + words. Returns logits (B, T, V) and no alphas."""
        x = torch.cat([features, self.embed(inputs)], dim=1)  # (B, 1+T, E)
        out, _ = self.lstm(self.dropout(x))
        return self.fc(self.dropout(out[:, 1:])), None  # output after the image token is not scored

    def init_state(self, features):
        _, (h, c) = self.lstm(features)  # (L, N, S)
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
        context = (features * alpha.unsqueeze(2)).sum(dim=1)  # (N, D)
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

    def forward(self, features, inputs):
        """features (B, P, D); inputs (B, T). Returns logits (B, T, V) and alphas (B, T, P)."""
        h, c = (s[0] for s in self.init_state(features))
        projected = self.attention.feature_proj(features)  # computed once, reused every step
        emb = self.embed(inputs)  # (B, T, E)
        logits, alphas = [], []
        for t in range(inputs.size(1)):
            h, c, alpha = self._cell(emb[:, t], h, c, features, projected)
            logits.append(self.fc(self.dropout(h)))
            alphas.append(alpha)
        return torch.stack(logits, 1), torch.stack(alphas, 1)

    def step(self, token, h, c, features):
        projected = self.attention.feature_proj(features)
        h1, c1, alpha = self._cell(self.embed(token), h[0], c[0], features, projected)
        return F.log_softmax(self.fc(h1), dim=-1), h1.unsqueeze(0), c1.unsqueeze(0), alpha


class Captioner(nn.Module):
    """Encoder + decoder; what training checkpoints and what export splits into three graphs."""

    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.cfg = cfg
        self.encoder = Encoder(cfg)
        if cfg.variant == "lstm":
            self.decoder = ShowAndTell(cfg)
        elif cfg.variant == "attention":
            self.decoder = ShowAttendTell(cfg, self.encoder.out_dim)
        else:
            raise ValueError(f"unknown variant {cfg.variant!r}; use 'lstm' or 'attention'")

    def forward(self, images, inputs, image_index):
        """images (N, 3, H, W); inputs (B, T); image_index (B,) maps each caption to its image,
        so every image is encoded once for all of its captions."""
        features = self.encoder(images)[image_index]
        return self.decoder(features, inputs)


def count_parameters(model: nn.Module) -> dict:
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    frozen = sum(p.numel() for p in model.parameters() if not p.requires_grad)
    return {"trainable": trainable, "frozen": frozen, "total": trainable + frozen}
