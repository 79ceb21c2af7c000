// Opens the three ONNX graphs of a model directory and checks them against the contract
// (models/README.md): input/output names, and the sizes the manifest also states.
import { access } from 'node:fs/promises';
import path from 'node:path';

import ort from 'onnxruntime-node';

import { CaptionerError } from './errors.js';
import {
  createFirstSession,
  sessionOptions,
  type ExecutionOptions,
  type ExecutionProviderName,
  type Logger,
} from './execution.js';
import type { Manifest } from './manifest.js';

export interface ModelGraphs {
  encoder: ort.InferenceSession;
  init: ort.InferenceSession;
  step: ort.InferenceSession;
  provider: ExecutionProviderName;
}

type GraphName = 'encoder' | 'init' | 'step';

// Names each graph must declare; the step graph's `features` input and `alpha` output exist only
// for the attention variant (a runtime feeds exactly what a graph declares).
function contract(variant: Manifest['variant']): Record<GraphName, { inputs: string[]; outputs: string[] }> {
  const attention = variant === 'attention';
  return {
    encoder: { inputs: ['image'], outputs: ['features'] },
    init: { inputs: ['features'], outputs: ['h', 'c'] },
    step: {
      inputs: attention ? ['token', 'h', 'c', 'features'] : ['token', 'h', 'c'],
      outputs: attention ? ['logprobs', 'h_out', 'c_out', 'alpha'] : ['logprobs', 'h_out', 'c_out'],
    },
  };
}

export async function openGraphs(
  dir: string,
  manifest: Manifest,
  vocabSize: number,
  options: ExecutionOptions,
  logger: Logger,
): Promise<ModelGraphs> {
  const files = {
    encoder: path.join(dir, manifest.files.encoder),
    init: path.join(dir, manifest.files.init),
    step: path.join(dir, manifest.files.step),
  };
  for (const [graph, file] of Object.entries(files)) {
    try {
      await access(file);
    } catch {
      throw new CaptionerError(
        'MODEL_FILE_MISSING',
        `The ${graph} graph ${file} (manifest files.${graph}) does not exist. Re-export the model (python3 -m training export) or fix the manifest.`,
        { details: { file } },
      );
    }
  }
  const opened: ort.InferenceSession[] = [];
  const open = async (graph: GraphName, create: () => Promise<ort.InferenceSession>): Promise<ort.InferenceSession> => {
    try {
      const session = await create();
      opened.push(session);
      return session;
    } catch (error) {
      await Promise.all(opened.map((s) => s.release()));
      const reason = error instanceof Error ? error.message : String(error);
      throw new CaptionerError(
        'MODEL_FILE_CORRUPT',
        `The ${graph} graph ${files[graph]} could not be loaded by ONNX Runtime (${reason}). The file is damaged or not an ONNX model; re-export it.`,
        { details: { file: files[graph] }, cause: error },
      );
    }
  };
  let provider: ExecutionProviderName = 'cpu';
  const encoder = await open('encoder', async () => {
    const first = await createFirstSession(files.encoder, options, logger);
    provider = first.provider;
    return first.session;
  });
  const init = await open('init', () => ort.InferenceSession.create(files.init, sessionOptions(options, provider)));
  const step = await open('step', () => ort.InferenceSession.create(files.step, sessionOptions(options, provider)));
  const graphs = { encoder, init, step, provider };
  try {
    checkGraphs(graphs, manifest, vocabSize, files);
  } catch (error) {
    await Promise.all(opened.map((s) => s.release()));
    throw error;
  }
  return graphs;
}

function checkGraphs(
  graphs: ModelGraphs,
  manifest: Manifest,
  vocabSize: number,
  files: Record<GraphName, string>,
): void {
  const problems: string[] = [];
  const expected = contract(manifest.variant);
  for (const graph of ['encoder', 'init', 'step'] as const) {
    const session = graphs[graph];
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
  // Sizes, where the graph states them as numbers (dynamic axes are strings).
  const image = tensorShape(graphs.encoder.inputMetadata, 'image');
  if (
    image &&
    (!dimIs(image[1], 3) || !dimIs(image[2], manifest.image.height) || !dimIs(image[3], manifest.image.width))
  ) {
    problems.push(
      `encoder input image is [${image.join(', ')}], the manifest says [N, 3, ${manifest.image.height}, ${manifest.image.width}]`,
    );
  }
  const regions = manifest.grid.rows * manifest.grid.cols;
  const features = tensorShape(graphs.encoder.outputMetadata, 'features');
  if (features && !dimIs(features[1], regions)) {
    problems.push(
      `encoder output features has ${features[1]} regions, the manifest grid ${manifest.grid.rows}x${manifest.grid.cols} means ${regions}`,
    );
  }
  const logprobs = tensorShape(graphs.step.outputMetadata, 'logprobs');
  if (logprobs && !dimIs(logprobs[1], vocabSize)) {
    problems.push(`step output logprobs has ${logprobs[1]} classes, ${manifest.vocab} has ${vocabSize} tokens`);
  }
  const alpha = tensorShape(graphs.step.outputMetadata, 'alpha');
  if (alpha && !dimIs(alpha[1], regions)) {
    problems.push(`step output alpha has ${alpha[1]} regions, the manifest grid means ${regions}`);
  }
  if (problems.length > 0) {
    throw new CaptionerError(
      'MODEL_GRAPH_MISMATCH',
      `The graphs of model "${manifest.id}" do not match the model-directory contract: ${problems.join('; ')}. Re-export the model (models/README.md lists the names).`,
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
