import json

import pytest
import torch

from training.config import TrainConfig
from training.data import Vocabulary, collate
from training.decode import beam_search
from training.models import Captioner, count_parameters
from training.train import caption_loss, make_optimizer, model_config

VOCAB = 30


def tiny(variant, **overrides):
    cfg = TrainConfig.preset(variant, **overrides)
    return Captioner(model_config(cfg, VOCAB)), cfg


def tiny_batch(seed=0):
    g = torch.Generator().manual_seed(seed)
    items = [(torch.randn(3, 64, 64, generator=g), [torch.randint(4, VOCAB, (6,), generator=g).tolist() for _ in range(2)], i)
             for i in range(4)]
    return collate(items)


@pytest.mark.parametrize("variant", ["lstm", "attention"])
def test_a_few_steps_lower_the_loss_on_a_tiny_batch(variant):
    torch.manual_seed(0)
    model, cfg = tiny(variant, dropout=0.0)
    if variant == "attention":
        cfg.lr = 2e-3  # Adam at the seed's 4e-4 needs more than a few steps to move
    optimizer = make_optimizer(cfg, model)
    batch = tiny_batch()
    model.train()
    first = caption_loss(model, batch, cfg.alpha_c).item()
    for _ in range(30):
        loss = caption_loss(model, batch, cfg.alpha_c)
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.grad_clip)
        optimizer.step()
    assert loss.item() < 0.7 * first


def test_presets_carry_the_seed_hyperparameters():
    lstm = TrainConfig.preset("lstm")
    assert (lstm.embed_dim, lstm.hidden_dim, lstm.num_layers, lstm.dropout, lstm.optimizer, lstm.lr, lstm.weight_decay,
            lstm.batch_size, lstm.lr_factor) == (256, 256, 2, 0.3, "sgd", 0.9, 1e-6, 128, 0.2)
    att = TrainConfig.preset("attention")
    assert (att.attention_dim, att.embed_dim, att.hidden_dim, att.dropout, att.batch_size, att.optimizer, att.lr,
            att.weight_decay, att.lr_factor, att.lr_schedule_after) == (256, 512, 512, 0.5, 32, "adam", 4e-4, 1e-5, 0.8, 10)


def test_attention_weights_are_distributions_over_the_grid():
    model, cfg = tiny("attention")
    _, inputs, _, index, _ = tiny_batch()
    model.eval()
    with torch.no_grad():
        _, alphas = model(tiny_batch()[0], inputs, index)
    assert alphas.shape[-1] == cfg.grid_size ** 2
    assert torch.allclose(alphas.sum(-1), torch.ones(alphas.shape[:2]), atol=1e-5)


@pytest.mark.parametrize("variant", ["lstm", "attention"])
def test_beam_one_is_greedy_and_wider_beams_score_no_worse(variant):
    torch.manual_seed(1)
    model, cfg = tiny(variant)
    model.eval()
    images = torch.randn(3, 3, 64, 64)
    with torch.no_grad():
        features = model.encoder(images)
        h, c = model.decoder.init_state(features)
        token = torch.full((3,), 1, dtype=torch.long)
        greedy = [[] for _ in range(3)]
        done = [False] * 3
        for _ in range(8):
            lp, h, c, _ = model.decoder.step(token, h, c, features)
            token = lp.argmax(1)
            for i, t in enumerate(token.tolist()):
                if not done[i]:
                    done[i] = t == 2
                    if not done[i]:
                        greedy[i].append(t)
    beam1 = beam_search(model, images, 1, 8)
    for i, (ids, _) in enumerate(beam1):
        if done[i]:
            assert ids == greedy[i]
    beam3 = beam_search(model, images, 3, 8, length_norm=False)
    assert all(b3[1] >= b1[1] - 1e-5 for b1, b3 in zip(beam1, beam3))


def test_parameter_count_separates_frozen_weights():
    model, _ = tiny("lstm")
    for p in model.encoder.backbone.parameters():
        p.requires_grad = False
    counts = count_parameters(model)
    assert counts["frozen"] == sum(p.numel() for p in model.encoder.backbone.parameters())
    assert counts["total"] == sum(p.numel() for p in model.parameters())


@pytest.mark.parametrize("beam", [1, 3])
def test_an_image_decodes_the_same_alone_or_in_a_batch(beam):
    torch.manual_seed(2)
    model, _ = tiny("attention")
    model.eval()
    images = torch.randn(6, 3, 64, 64)
    together = beam_search(model, images, beam, 10)
    alone = [beam_search(model, images[i:i + 1], beam, 10)[0] for i in range(6)]
    assert [ids for ids, _ in together] == [ids for ids, _ in alone]
