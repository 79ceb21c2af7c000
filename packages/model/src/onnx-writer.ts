// Writes small ONNX models from code: the tests' hand-made graphs and the benchmark's MatMul. Only the
// parts of the ONNX protobuf schema (onnx/onnx.proto) those need: nodes with int/float/ints attributes,
// float32/int64 initializers, and typed inputs/outputs with fixed or symbolic dimensions.

export type ElementType = 'float32' | 'int64';

export interface ValueSpec {
  name: string;
  type: ElementType;
  /** Numbers are fixed sizes, strings symbolic (dynamic) ones. */
  shape: (number | string)[];
}

export type AttributeValue = { i: number } | { f: number } | { ints: number[] };

export interface NodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  attributes?: Record<string, AttributeValue>;
}

export interface InitializerSpec {
  name: string;
  dims: number[];
  /** float32 unless given as a BigInt64Array. */
  values: Float32Array | BigInt64Array | number[];
}

export interface GraphSpec {
  name?: string;
  inputs: ValueSpec[];
  outputs: ValueSpec[];
  nodes: NodeSpec[];
  initializers?: InitializerSpec[];
}

const ELEMENT_TYPE: Record<ElementType, number> = { float32: 1, int64: 7 };
const ATTRIBUTE_TYPE = { f: 1, i: 2, ints: 7 } as const;

/** A serialised ModelProto (IR version 8, default-domain opset `opset`). */
export function onnxModel(graph: GraphSpec, opset = 17): Uint8Array {
  const w = new Writer();
  w.varintField(1, 8); // ir_version
  w.stringField(2, 'captioner-onnx-writer'); // producer_name
  w.messageField(7, graphProto(graph));
  w.messageField(8, new Writer().stringField(1, '').varintField(2, opset)); // opset_import
  return w.bytes();
}

function graphProto(graph: GraphSpec): Writer {
  const w = new Writer();
  graph.nodes.forEach((node, i) => w.messageField(1, nodeProto(node, i)));
  w.stringField(2, graph.name ?? 'graph');
  for (const init of graph.initializers ?? []) w.messageField(5, tensorProto(init));
  for (const input of graph.inputs) w.messageField(11, valueInfo(input));
  for (const output of graph.outputs) w.messageField(12, valueInfo(output));
  return w;
}

function nodeProto(node: NodeSpec, index: number): Writer {
  const w = new Writer();
  for (const input of node.inputs) w.stringField(1, input);
  for (const output of node.outputs) w.stringField(2, output);
  w.stringField(3, `${node.op}_${index}`);
  w.stringField(4, node.op);
  for (const [name, value] of Object.entries(node.attributes ?? {})) {
    const a = new Writer().stringField(1, name);
    if ('f' in value) a.fixed32FloatField(2, value.f).varintField(20, ATTRIBUTE_TYPE.f);
    else if ('i' in value) a.varintField(3, value.i).varintField(20, ATTRIBUTE_TYPE.i);
    else {
      for (const v of value.ints) a.varintField(8, v);
      a.varintField(20, ATTRIBUTE_TYPE.ints);
    }
    w.messageField(5, a);
  }
  return w;
}

function tensorProto(init: InitializerSpec): Writer {
  const w = new Writer();
  for (const dim of init.dims) w.varintField(1, dim);
  const data = init.values instanceof BigInt64Array ? init.values : Float32Array.from(init.values);
  w.varintField(2, ELEMENT_TYPE[data instanceof BigInt64Array ? 'int64' : 'float32']);
  w.stringField(8, init.name);
  const count = init.dims.reduce((a, b) => a * b, 1);
  if (data.length !== count) throw new Error(`initializer ${init.name}: ${data.length} values for dims [${init.dims}]`);
  w.bytesField(9, new Uint8Array(data.buffer, data.byteOffset, data.byteLength)); // raw_data, little-endian
  return w;
}

function valueInfo(value: ValueSpec): Writer {
  const shape = new Writer();
  for (const dim of value.shape) {
    shape.messageField(
      1,
      typeof dim === 'number' ? new Writer().varintField(1, dim) : new Writer().stringField(2, dim),
    );
  }
  const tensorType = new Writer().varintField(1, ELEMENT_TYPE[value.type]).messageField(2, shape);
  return new Writer().stringField(1, value.name).messageField(2, new Writer().messageField(1, tensorType));
}

// Protocol buffer wire format: varints (wire type 0), length-delimited fields (2) and 32-bit floats (5).
class Writer {
  private readonly chunks: Uint8Array[] = [];
  private length = 0;

  varintField(field: number, value: number | bigint): this {
    this.tag(field, 0);
    this.varint(BigInt.asUintN(64, BigInt(value)));
    return this;
  }
  fixed32FloatField(field: number, value: number): this {
    this.tag(field, 5);
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setFloat32(0, value, true);
    return this.push(bytes);
  }
  stringField(field: number, value: string): this {
    return this.bytesField(field, new TextEncoder().encode(value));
  }
  bytesField(field: number, value: Uint8Array): this {
    this.tag(field, 2);
    this.varint(BigInt(value.length));
    return this.push(value);
  }
  messageField(field: number, message: Writer): this {
    return this.bytesField(field, message.bytes());
  }
  bytes(): Uint8Array {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, at);
      at += chunk.length;
    }
    return out;
  }

  private tag(field: number, wireType: number): void {
    this.varint(BigInt((field << 3) | wireType));
  }
  private varint(value: bigint): void {
    const bytes: number[] = [];
    do {
      let byte = Number(value & 0x7fn);
      value >>= 7n;
      if (value !== 0n) byte |= 0x80;
      bytes.push(byte);
    } while (value !== 0n);
    this.push(Uint8Array.from(bytes));
  }
  private push(bytes: Uint8Array): this {
    this.chunks.push(bytes);
    this.length += bytes.length;
    return this;
  }
}
