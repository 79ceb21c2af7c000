// Opens the three ONNX graphs of a model directory and checks them against the contract
// (models/README.md): input/output names, and the sizes the manifest also states. The encoder comes
// from the shared-encoder registry, so models with the same encoder file and image spec share it.
import path from 'node:path';

import ort from 'onnxruntime-node';

import { CaptionerError } from './errors.js';
import { sessionOptions, type ExecutionOptions, type ExecutionProviderName, type Logger } from './execution.js';
import type { Manifest } from './manifest.js';
import { acquireEncoder, type SharedEncoder } from './shared-encoder.js';

export interface ModelGraphs {
  encoder: SharedEncoder;
  init: ort.InferenceSession;
  step: ort.InferenceSession;
  provider: ExecutionProviderName;
  /**
   * Per-image constants the step graph takes besides token, h and c: `features` (attention) and, from
   * format 2 on, every init output beyond h and c (e.g. `projected`), each fed under its own name.
   */
  stepConstants: string[];
}

type GraphName = 'encoder' | 'init' | 'step';

/** Absolute paths of the three graph files of a model directory. */
export function graphFiles(dir: string, manifest: Manifest): Record<GraphName, string> {
  return {
    encoder: path.resolve(dir, manifest.files.encoder),
    init: path.join(dir, manifest.files.init),
    step: path.join(dir, manifest.files.step),
  };
}

const STATE = ['h', 'c'];

// Names each graph must declare. The step graph's `features` input and `alpha` output exist only for
// the attention variant; in format 2 every init output beyond h and c (`extras`) is also a step input.
// A runtime feeds exactly what a graph declares.
function contract(
  manifest: Manifest,
  extras: readonly string[],
): Record<GraphName, { inputs: string[]; outputs: string[] }> {
  const attention = manifest.variant === 'attention';
  return {
    encoder: { inputs: ['image'], outputs: ['features'] },
    init: { inputs: ['features'], outputs: [...STATE, ...extras] },
    step: {
      inputs: ['token', ...STATE, ...(attention ? ['features'] : []), ...extras],
      outputs: attention ? ['logprobs', 'h_out', 'c_out', 'alpha'] : ['logprobs', 'h_out', 'c_out'],
    },
  };
}

export async function openGraphs(
  dir: string,
  manifest: Manifest,
  encoderSha256: string,
  vocabSize: number,
  options: ExecutionOptions,
  logger: Logger,
): Promise<ModelGraphs> {
  const files = graphFiles(dir, manifest);
  const corrupt = (graph: GraphName, error: unknown): CaptionerError => {
    const reason = error instanceof Error ? error.message : String(error);
    return new CaptionerError(
      'MODEL_FILE_CORRUPT',
      `The ${graph} graph ${files[graph]} could not be loaded by ONNX Runtime (${reason}). The file is damaged or not an ONNX model; re-export it.`,
      { details: { file: files[graph] }, cause: error },
    );
  };
  // The encoder decides the provider (CUDA, or CPU after a fallback); init and step follow it.
  let encoder: SharedEncoder;
  try {
    encoder = await acquireEncoder({
      file: files.encoder,
      sha256: encoderSha256,
      image: manifest.image,
      execution: options,
      logger,
    });
  } catch (error) {
    throw corrupt('encoder', error);
  }
  const opened: ort.InferenceSession[] = [];
  const cleanUp = async (): Promise<void> => {
    await Promise.all([...opened.map((s) => s.release()), encoder.release()]);
  };
  const provider = encoder.executionProvider;
  for (const graph of ['init', 'step'] as const) {
    try {
      opened.push(await ort.InferenceSession.create(files[graph], sessionOptions(options, provider)));
    } catch (error) {
      await cleanUp();
      throw corrupt(graph, error);
    }
  }
  const [init, step] = opened as [ort.InferenceSession, ort.InferenceSession];
  const extras = manifest.format >= 2 ? init.outputNames.filter((name) => !STATE.includes(name)) : [];
  const graphs: ModelGraphs = {
    encoder,
    init,
    step,
    provider,
    stepConstants: [...(manifest.variant === 'attention' ? ['features'] : []), ...extras],
  };
  try {
    checkGraphs(graphs, manifest, extras, vocabSize, files);
  } catch (error) {
    await cleanUp();
    throw error;
  }
  return graphs;
}

function checkGraphs(
  graphs: ModelGraphs,
  manifest: Manifest,
  extras: readonly string[],
  vocabSize: number,
  files: Record<GraphName, string>,
): void {
  const problems: string[] = [];
  const expected = contract(manifest, extras);
  const sessions = { encoder: graphs.encoder.session, init: graphs.init, step: graphs.step };
  for (const graph of ['encoder', 'init', 'step'] as const) {
    const session = sessions[graph];
    const want = expected[graph];
    if (!sameNames(session.inputNames, want.inputs)) {
      problems.push(
        `${graph} (${files[graph]}) has inputs [${session.inputNames.join(', ')}], expected [${want.inputs.join(', ')}]`,
      );
    }
    if (!sameNames(session.outputNames, want.outputs)) {
      problems.push(
        `${graph} (${files[graph]}) has outputs [${session.outputNames.join(', ')}], expected [${want.outputs.join(', ')}]`,
      );
    }
  }
  for (const reserved of ['token', 'features']) {
    if (extras.includes(reserved))
      problems.push(`init (${files.init}) has an output named "${reserved}", a name the step graph reserves`);
  }
  // Sizes, where the graph states them as numbers (dynamic axes are strings).
  const image = tensorShape(sessions.encoder.inputMetadata, 'image');
  if (
    image &&
    (!dimIs(image[1], 3) || !dimIs(image[2], manifest.image.height) || !dimIs(image[3], manifest.image.width))
  ) {
    problems.push(
      `encoder input image is [${image.join(', ')}], the manifest says [N, 3, ${manifest.image.height}, ${manifest.image.width}]`,
    );
  }
  const regions = manifest.grid.rows * manifest.grid.cols;
  const features = tensorShape(sessions.encoder.outputMetadata, 'features');
  if (features && !dimIs(features[1], regions)) {
    problems.push(
      `encoder output features has ${features[1]} regions, the manifest grid ${manifest.grid.rows}x${manifest.grid.cols} means ${regions}`,
    );
  }
  // The encoder's features must be what init was exported for (a shared encoder may be the wrong one).
  const initFeatures = tensorShape(sessions.init.inputMetadata, 'features');
  if (features && initFeatures && [1, 2].some((axis) => !sameDim(features[axis], initFeatures[axis]))) {
    problems.push(
      `encoder output features is [${features.join(', ')}] but init (${files.init}) takes features [${initFeatures.join(', ')}]`,
    );
  }
  const logprobs = tensorShape(sessions.step.outputMetadata, 'logprobs');
  if (logprobs && !dimIs(logprobs[1], vocabSize)) {
    problems.push(`step output logprobs has ${logprobs[1]} classes, ${manifest.vocab} has ${vocabSize} tokens`);
  }
  const alpha = tensorShape(sessions.step.outputMetadata, 'alpha');
  if (alpha && !dimIs(alpha[1], regions)) {
    problems.push(`step output alpha has ${alpha[1]} regions, the manifest grid means ${regions}`);
  }
  if (problems.length > 0) {
    throw new CaptionerError(
      'MODEL_GRAPH_MISMATCH',
      `The graphs of model "${manifest.id}" do not match the model-directory contract (format ${manifest.format}): ${problems.join('; ')}. Re-export the model (models/README.md lists the names).`,
      { details: { problems } },
    );
  }
}

function sameNames(actual: readonly string[], expected: readonly string[]): boolean {
  return actual.length === expected.length && expected.every((name) => actual.includes(name));
}

function tensorShape(
  metadata: readonly ort.InferenceSession.ValueMetadata[],
  name: string,
): ReadonlyArray<number | string> | null {
  const value = metadata.find((m) => m.name === name);
  return value?.isTensor && value.shape.length > 0 ? value.shape : null;
}

// A symbolic (dynamic) dimension is accepted; a numeric one must match.
function dimIs(dim: number | string | undefined, expected: number): boolean {
  return typeof dim !== 'number' || dim < 0 || dim === expected;
}
function sameDim(a: number | string | undefined, b: number | string | undefined): boolean {
  return typeof b !== 'number' || dimIs(a, b);
}
