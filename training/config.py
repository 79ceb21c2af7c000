"""Training configuration: one dataclass, defaults from the seed's two experiments."""
from dataclasses import asdict, dataclass, field, fields


@dataclass
class TrainConfig:
    variant: str = "attention"
    data_dir: str = "training/data/shapes"
    dataset_name: str = "shapes"
    encoder: str = "smallcnn"
    image_size: int = 64            # 224 for resnet50
    grid_size: int = 8              # 14 for resnet50 (Show, Attend and Tell's 14x14 grid)
    mean: list = field(default_factory=lambda: [0.5, 0.5, 0.5])
    std: list = field(default_factory=lambda: [0.25, 0.25, 0.25])
    embed_dim: int = 512
    hidden_dim: int = 512
    attention_dim: int = 256
    num_layers: int = 1
    dropout: float = 0.5
    optimizer: str = "adam"         # seed: sgd for lstm, adam for attention
    lr: float = 4e-4
    momentum: float = 0.0
    weight_decay: float = 1e-5
    batch_size: int = 32            # captions per step
    captions_per_image: int = 5     # captions drawn per image per epoch (Flickr8k has 5)
    lr_factor: float = 0.8          # multiply the LR by this when val loss stops improving
    lr_patience: int = 1
    lr_schedule_after: int = 10     # attention: the plateau schedule starts after this epoch
    alpha_c: float = 1.0            # doubly stochastic attention regularisation
    grad_clip: float = 5.0
    epochs: int = 30
    early_stop_patience: int = 4    # epochs without val loss improvement: converged
    max_length: int = 20
    min_word_count: int = 5
    beam_size: int = 3
    seed: int = 1
    threads: int = 2
    device: str = "auto"            # "cuda" when available, else "cpu"
    max_minutes: float = 0          # stop (and checkpoint) after this long; 0 = no limit
    checkpoint_minutes: float = 5   # also checkpoint inside an epoch this often, to resume from that batch
    feature_cache: str = ""         # frozen encoders: the `features` cache to train on (one encoder pass per image)
    warm_start: str = ""            # a shipped model directory to continue from when the run has no checkpoint

    @classmethod
    def preset(cls, variant: str, encoder: str = "smallcnn", **overrides):
        """The seed's hyperparameters for each variant (README, "The shipped models"), then any overrides."""
        if variant == "lstm":
            base = dict(variant="lstm", embed_dim=256, hidden_dim=256, num_layers=2, dropout=0.3, optimizer="sgd",
                        lr=0.9, weight_decay=1e-6, batch_size=128, lr_factor=0.2, lr_patience=1, lr_schedule_after=0)
        elif variant == "attention":
            base = dict(variant="attention", embed_dim=512, hidden_dim=512, attention_dim=256, num_layers=1,
                        dropout=0.5, optimizer="adam", lr=4e-4, weight_decay=1e-5, batch_size=32, lr_factor=0.8,
                        lr_patience=1, lr_schedule_after=10)
        else:
            raise ValueError(f"unknown variant {variant!r}; use 'lstm' or 'attention'")
        if encoder == "keras-resnet50":  # Keras "caffe" preprocessing, ResNet's own 7x7 grid, every word
            from .keras_resnet import CAFFE_MEAN, CAFFE_STD
            base.update(encoder=encoder, image_size=224, grid_size=7, mean=CAFFE_MEAN, std=CAFFE_STD, min_word_count=1)
        elif encoder == "torchvision-resnet50":
            base.update(encoder=encoder, image_size=224, grid_size=7, mean=[0.485, 0.456, 0.406],
                        std=[0.229, 0.224, 0.225], min_word_count=1)
        base.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**base)

    def to_dict(self):
        return asdict(self)

    @classmethod
    def from_dict(cls, d):
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in names})
