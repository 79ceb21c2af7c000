"""human-agreement on a constructed Flickr8k folder: the literature's parsing rules and the Kendall taus."""
import json

import pytest

from training.__main__ import main
from training.human_agreement import (
    crowdflower_judgements, expert_judgements, human_agreement, kendall, read_captions,
)

CAPTIONS = {
    "dog.jpg": ["a dog runs on the grass", "a brown dog running", "the dog plays outside",
                "a dog on a lawn", "a puppy runs"],
    "boat.jpg": ["a boat on the lake", "a small boat sails", "boats on blue water",
                 "a sailboat on a lake", "a boat floating"],
    "kids.jpg": ["two kids play football", "children playing soccer", "kids kick a ball",
                 "two boys play soccer on a field", "children on a field"],
}


def write_folder(root, expert_rows, crowd_rows):
    tokens = [f"{image}#{n}\t{text}" for image, texts in CAPTIONS.items() for n, text in enumerate(texts)]
    (root / "Flickr8k.token.txt").write_text("\n".join(tokens) + "\n")
    (root / "ExpertAnnotations.txt").write_text("".join("\t".join(map(str, r)) + "\n" for r in expert_rows))
    (root / "CrowdFlowerAnnotations.txt").write_text("".join("\t".join(map(str, r)) + "\n" for r in crowd_rows))
    return root


EXPERT = [
    ("dog.jpg", "dog.jpg#1", 4, 4, 4),  # its own reference: skipped, as SPICE and CLIPScore do
    ("dog.jpg", "boat.jpg#0", 1, 1, 2),
    ("boat.jpg", "boat.jpg#3", 4, 3, 4),  # skipped too
    ("boat.jpg", "kids.jpg#1", 1, 1, 1),
    ("kids.jpg", "kids.jpg#2", 4, 4, 3),
    ("kids.jpg", "dog.jpg#0", 2, 1, 1),
]
CROWD = [
    ("dog.jpg", "dog.jpg#2", 1.0, 3, 0),  # its own reference: leaves dog.jpg's references for all its candidates
    ("dog.jpg", "kids.jpg#0", 0.0, 0, 3),
    ("dog.jpg", "boat.jpg#4", 0.333333, 1, 2),
    ("boat.jpg", "dog.jpg#4", 0.0, 0, 3),
]


def test_expert_pairs_skip_references_and_give_three_judgements(tmp_path):
    folder = write_folder(tmp_path, EXPERT, CROWD)
    by_id, by_image = read_captions(folder)
    judgements, pairs, skipped = expert_judgements(folder, by_id, by_image)
    assert (pairs, skipped, len(judgements)) == (6, 3, 9)
    assert [j.score for j in judgements] == [1, 1, 2, 1, 1, 1, 2, 1, 1]
    assert judgements[0].candidate == "a boat on the lake" and judgements[0].references == CAPTIONS["dog.jpg"]


def test_crowdflower_removes_judged_references_for_the_whole_image(tmp_path):
    folder = write_folder(tmp_path, EXPERT, CROWD)
    judgements, removed = crowdflower_judgements(folder, *read_captions(folder))
    assert removed == 1 and [j.score for j in judgements] == [1.0, 0.0, 0.333333, 0.0]
    without_own = [c for c in CAPTIONS["dog.jpg"] if c != "the dog plays outside"]
    assert all(j.references == without_own for j in judgements[:3])  # also for the candidates judged after it
    assert judgements[3].references == CAPTIONS["boat.jpg"]


def test_inconsistent_or_unknown_rows_are_refused(tmp_path):
    folder = write_folder(tmp_path, EXPERT, [("dog.jpg", "kids.jpg#0", 0.5, 0, 3)])
    with pytest.raises(ValueError, match="fraction yes 0.5 is not 0 / \\(0 \\+ 3\\)"):
        crowdflower_judgements(folder, *read_captions(folder))
    folder = write_folder(tmp_path, [("dog.jpg", "cat.jpg#0", 1, 1, 1)], CROWD)
    with pytest.raises(ValueError, match="cat.jpg#0 is not in Flickr8k.token.txt"):
        expert_judgements(folder, *read_captions(folder))


def test_kendall_variants():
    human = [1, 1, 2, 2, 3, 3, 4, 4]
    assert kendall(human, human, "b") == pytest.approx(1.0)
    assert kendall(human, human, "c") == pytest.approx(1.0)  # balanced ties: tau-c reaches 1
    assert kendall([-h for h in human], human, "b") == pytest.approx(-1.0)
    # tau-c with unbalanced ties stays below 1 even for a perfect metric: 2m(P - Q) / (n^2 (m - 1)), m = 2.
    assert kendall([1, 1, 1, 2], [1, 1, 1, 2], "c") == pytest.approx(2 * 2 * 3 / (16 * 1))


def test_metrics_that_follow_the_judges_agree_with_them(tmp_path):
    """A candidate copied from the references outscores an unrelated one on every metric, so with scores
    that say the same the taus are positive; the command writes them with the counts."""
    rows = [("dog.jpg", "boat.jpg#0", 1, 1, 1), ("boat.jpg", "dog.jpg#3", 1, 1, 1), ("kids.jpg", "boat.jpg#2", 1, 1, 1)]
    folder = write_folder(tmp_path, rows, CROWD)
    # A near-copy of a dog reference that is not itself one of dog.jpg's references
    (folder / "Flickr8k.token.txt").write_text((folder / "Flickr8k.token.txt").read_text()
                                               + "extra.jpg#0\ta dog runs on the grass outside\n")
    with open(folder / "ExpertAnnotations.txt", "a") as f:
        f.write("dog.jpg\textra.jpg#0\t4\t4\t4\n")
    with open(folder / "CrowdFlowerAnnotations.txt", "a") as f:
        f.write("dog.jpg\textra.jpg#0\t1\t3\t0\n")
    result = human_agreement(folder)
    assert result["expert"]["judgements"] == 12 and result["expert"]["pairsSkippedCandidateIsReference"] == 0
    for metric, tau in result["expert"]["kendall"].items():
        assert tau > 0.5, metric
    assert result["crowdflower"]["kendall"]["cider"] > 0

    out = tmp_path / "docs" / "human-agreement.json"
    main(["human-agreement", "--data", str(folder), "--out", str(out)])
    written = json.loads(out.read_text())
    assert written["expert"]["kendall"] == result["expert"]["kendall"]
    assert written["crowdflower"]["tau"] == "b" and written["expert"]["publishedKendall"]["cider"] == 0.439
