"""Run exported graphs in ONNX Runtime and compare with PyTorch's outputs.

Uses Python's onnxruntime when installed (pip users); otherwise onnxruntime-node from the repo's
node_modules (Debian has no onnxruntime package), through onnx_check.mjs.
"""
import json
import subprocess
import tempfile
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent


def graph_path(model_dir: Path, graph: str) -> Path:
    """A graph by role ("init") or by file name relative to the model directory ("../encoders/x.onnx")."""
    return Path(model_dir) / (graph if graph.endswith(".onnx") else f"{graph}.onnx")


def _run_python(model_dir: Path, graph: str, inputs: dict) -> dict:
    import onnxruntime
    session = onnxruntime.InferenceSession(str(graph_path(model_dir, graph)), providers=["CPUExecutionProvider"])
    names = [o.name for o in session.get_outputs()]
    return dict(zip(names, session.run(names, inputs)))


def _run_node(model_dir: Path, graph: str, inputs: dict) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        spec = {"model": str(graph_path(model_dir, graph)), "inputs": {}}
        for name, array in inputs.items():
            path = Path(tmp) / f"{name}.bin"
            path.write_bytes(np.ascontiguousarray(array).tobytes())
            spec["inputs"][name] = {"file": str(path), "dtype": str(array.dtype), "shape": list(array.shape)}
        (Path(tmp) / "spec.json").write_text(json.dumps(spec))
        try:
            done = subprocess.run(["node", str(HERE / "onnx_check.mjs"), str(Path(tmp) / "spec.json")],
                                  capture_output=True, text=True, check=True, cwd=HERE.parent)
        except FileNotFoundError as error:
            raise RuntimeError("verifying ONNX needs Python onnxruntime or Node.js with the repo's "
                               "onnxruntime-node (run npm install at the repo root)") from error
        except subprocess.CalledProcessError as error:
            raise RuntimeError(f"onnxruntime-node failed on {graph}: {error.stderr.strip()}") from error
        outputs = {}
        for name, meta in json.loads(done.stdout).items():
            outputs[name] = np.array(meta["data"], dtype=meta["dtype"]).reshape(meta["shape"])
        return outputs


def run_graph(model_dir: Path, graph: str, inputs: dict) -> dict:
    try:
        import onnxruntime  # noqa: F401
        return _run_python(model_dir, graph, inputs)
    except ImportError:
        return _run_node(model_dir, graph, inputs)


def check_graphs(model_dir: Path, expected: dict, tolerance: float) -> dict:
    """expected: graph -> (inputs, outputs) as torch tensors. Raises if any output differs by more."""
    report = {}
    for graph, (inputs, outputs) in expected.items():
        got = run_graph(model_dir, graph, {k: v.numpy() for k, v in inputs.items()})
        for name, want in outputs.items():
            if name not in got:
                raise AssertionError(f"{graph} has no output {name!r}; it has {sorted(got)}")
            diff = float(np.abs(got[name].reshape(want.shape) - want.numpy()).max())
            report[f"{graph}.{name}"] = diff
            if not diff <= tolerance:
                raise AssertionError(f"{graph} output {name} differs from PyTorch by {diff:.2e} (> {tolerance})")
    return {k: f"{v:.1e}" for k, v in report.items()}
