"""Float16 storage of weights, float32 arithmetic: halves the shipped files.

`round_weights` rounds a PyTorch model in place exactly as `store_weights_fp16` stores the ONNX graph,
so both sides compute with the same numbers and golden parity still holds to float32 precision.
Only matrices and kernels (2+ dimensions) are stored in float16: biases and BatchNorm statistics are
small and some are too fine for its range."""
import onnx
import torch
from onnx import helper, numpy_helper


def _stored_half(shape) -> bool:
    return len(shape) >= 2


@torch.no_grad()
def round_weights(module: torch.nn.Module):
    for p in module.parameters():
        if _stored_half(p.shape):
            p.copy_(p.half().float())
    return module


def store_weights_fp16(path):
    """Rewrite an ONNX file: every float32 initializer of 2+ dimensions becomes float16 under its own
    name, read through a Cast to float32 that ONNX Runtime folds once at load time."""
    model = onnx.load(str(path))
    graph = model.graph
    casts, renamed = [], {}
    for init in graph.initializer:
        if init.data_type == onnx.TensorProto.FLOAT and _stored_half(init.dims):
            array = numpy_helper.to_array(init).astype("float16")
            init.CopyFrom(numpy_helper.from_array(array, init.name))
            renamed[init.name] = f"{init.name}__float32"
            casts.append(helper.make_node("Cast", [init.name], [renamed[init.name]], to=onnx.TensorProto.FLOAT))
    for node in graph.node:
        for i, name in enumerate(node.input):
            if name in renamed:
                node.input[i] = renamed[name]
    nodes = casts + list(graph.node)
    del graph.node[:]
    graph.node.extend(nodes)
    onnx.checker.check_model(model)
    onnx.save(model, str(path))
