// Runs one ONNX graph with onnxruntime-node for training/onnx_check.py (Debian ships no Python onnxruntime).
// Reads a spec of raw little-endian input files, prints the outputs as JSON.
import { readFileSync } from 'node:fs';
import ort from 'onnxruntime-node';

const ARRAYS = { float32: Float32Array, int64: BigInt64Array };
const spec = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const feeds = {};
for (const [name, input] of Object.entries(spec.inputs)) {
  const bytes = readFileSync(input.file);
  const Type = ARRAYS[input.dtype];
  if (!Type) throw new Error(`unsupported dtype ${input.dtype}`);
  const data = new Type(bytes.buffer, bytes.byteOffset, bytes.byteLength / Type.BYTES_PER_ELEMENT);
  feeds[name] = new ort.Tensor(input.dtype, data, input.shape);
}
const session = await ort.InferenceSession.create(spec.model);
const results = await session.run(feeds);
const out = {};
for (const [name, tensor] of Object.entries(results)) {
  out[name] = { dtype: tensor.type, shape: tensor.dims, data: Array.from(tensor.data, Number) };
}
process.stdout.write(JSON.stringify(out));
