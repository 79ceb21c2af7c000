import json

import pytest

from training.data import (END, PAD, START, UNK, DatasetError, Vocabulary, collate, detect_format, kaggle_split,
                           load_examples)
from training.tests.conftest import FIXTURES


@pytest.mark.parametrize("layout", ["flickr8k", "karpathy", "kaggle"])
def test_each_layout_loads_all_images_with_five_captions(layout):
    examples = load_examples(FIXTURES / layout)
    assert len(examples) == 8
    assert all(len(e.captions) == 5 and e.path.is_file() for e in examples)
    assert {e.split for e in examples} == {"train", "val", "test"}


def test_layouts_agree_on_captions_and_official_splits():
    official = {e.file: (e.split, e.captions) for e in load_examples(FIXTURES / "flickr8k")}
    karpathy = {e.file: (e.split, e.captions) for e in load_examples(FIXTURES / "karpathy")}
    kaggle = {e.file: e.captions for e in load_examples(FIXTURES / "kaggle")}
    assert official == karpathy  # restval is folded into train
    assert kaggle == {name: caps for name, (_, caps) in official.items()}  # quoted commas survive


def test_kaggle_split_takes_the_last_eighths_of_sorted_names():
    names = [f"{i:03d}.jpg" for i in range(16)]
    split = kaggle_split(list(reversed(names)))
    assert [split[n] for n in names] == ["train"] * 12 + ["val"] * 2 + ["test"] * 2


def test_detects_layout_by_caption_file(tmp_path):
    assert detect_format(FIXTURES / "karpathy") == "karpathy"
    with pytest.raises(DatasetError, match="holds none of"):
        detect_format(tmp_path)


def test_missing_image_is_named(fixture_copy):
    root = fixture_copy("flickr8k")
    victim = sorted((root / "Flicker8k_Dataset").iterdir())[0]
    victim.unlink()
    with pytest.raises(DatasetError, match=victim.name):
        load_examples(root)


def test_malformed_token_line_reports_line_number(fixture_copy):
    root = fixture_copy("flickr8k")
    tokens = root / "Flickr8k.token.txt"
    tokens.write_text(tokens.read_text() + "no-tab-here\n")
    with pytest.raises(DatasetError, match="line 41"):
        load_examples(root)


def test_missing_split_list_is_reported(fixture_copy):
    root = fixture_copy("flickr8k")
    (root / "Flickr_8k.devImages.txt").unlink()
    with pytest.raises(DatasetError, match="Flickr_8k.devImages.txt"):
        load_examples(root)


def test_kaggle_header_and_rows_are_checked(fixture_copy):
    root = fixture_copy("kaggle")
    (root / "captions.txt").write_text("file,text\na.jpg,hello\n")
    with pytest.raises(DatasetError, match="header"):
        load_examples(root)
    (root / "captions.txt").write_text("image,caption\nbroken-row\n")
    with pytest.raises(DatasetError, match="line 2"):
        load_examples(root)


def test_karpathy_unknown_split_is_rejected(fixture_copy):
    root = fixture_copy("karpathy")
    data = json.loads((root / "dataset_flickr8k.json").read_text())
    data["images"][0]["split"] = "holdout"
    (root / "dataset_flickr8k.json").write_text(json.dumps(data))
    with pytest.raises(DatasetError, match="holdout"):
        load_examples(root)


def test_vocabulary_uses_min_count_and_specials():
    vocab = Vocabulary.build(["A red circle.", "a red square", "a blue circle"], min_count=2)
    assert vocab.tokens == ["<pad>", "<start>", "<end>", "<unk>", "a", "circle", "red"]
    assert vocab.encode("A blue circle!") == [vocab.index["a"], UNK, vocab.index["circle"]]
    assert vocab.decode([START, vocab.index["red"], END, vocab.index["a"]]) == ["red"]


def test_collate_pads_and_shifts_targets():
    import torch
    batch = [(torch.zeros(3, 4, 4), [[5, 6], [7]], 0), (torch.ones(3, 4, 4), [[8, 9, 10]], 1)]
    images, inputs, targets, image_index, _ = collate(batch)
    assert images.shape == (2, 3, 4, 4)
    assert inputs.tolist() == [[START, 5, 6, PAD], [START, 7, PAD, PAD], [START, 8, 9, 10]]
    assert targets.tolist() == [[5, 6, END, PAD], [7, END, PAD, PAD], [8, 9, 10, END]]
    assert image_index.tolist() == [0, 0, 1]
