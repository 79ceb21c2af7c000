// The reference for training/keras_resnet.py: runs the npm package's own TensorFlow.js model (pure-JS CPU
// backend, no native downloads) on a raw float32 NHWC input and prints its 1000 class probabilities.
// Usage: node training/tfjs_reference.mjs <ResNet50 dir> <input.f32> <batch>
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';

const [modelDir, inputFile, batch] = process.argv.slice(2);
const spec = JSON.parse(readFileSync(path.join(modelDir, 'model.json'), 'utf8'));
const shards = spec.weightsManifest.flatMap((group) => group.paths.map((p) => readFileSync(path.join(modelDir, p))));
const weightData = new Uint8Array(Buffer.concat(shards)).buffer;
const weightSpecs = spec.weightsManifest.flatMap((group) => group.weights);

await tf.setBackend('cpu');
const model = await tfl.loadLayersModel({
  load: async () => ({ modelTopology: spec.modelTopology, weightSpecs, weightData }),
});
const bytes = readFileSync(inputFile);
const input = tf.tensor4d(new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4), [
  Number(batch),
  224,
  224,
  3,
]);
const probabilities = model.predict(input);
process.stdout.write(JSON.stringify(Array.from(await probabilities.data())));
