import { readFile } from 'node:fs/promises';
import { loadModel } from './src/index.js';
for (const v of ['attention', 'lstm']) {
  const dir = `/tmp/devmodels/dev-${v}`;
  const model = await loadModel(dir);
  const golden = JSON.parse(await readFile(`${dir}/golden.json`, 'utf8'));
  const png = await readFile(`${dir}/golden.png`);
  const t = await model.preprocess(png);
  let sum = 0, sumAbs = 0; for (const x of t) { sum += x; sumAbs += Math.abs(x); }
  console.log(v, 'tensor', sum, golden.tensor.sum, sumAbs, golden.tensor.sumAbs);
  const [g] = await model.caption([png], { beamSize: 1 });
  console.log(g!.tokens.join(','), '|', golden.greedy.tokens.join(','));
  console.log(Math.max(...g!.tokenLogprobs.map((x, i) => Math.abs(x - golden.greedy.logprobs[i]))), g!.tokenLogprobs.length, golden.greedy.logprobs.length);
  const [b] = await model.caption([png, png], { beamSize: 5, nBest: 5 });
  console.log(b!.nBest.map(h => `${h.text} ${h.score.toFixed(3)} ${h.ended}`), b!.latencyMs, b!.attention?.length, b!.attention?.[0]?.flat().reduce((a, x) => a + x, 0));
  const [f] = await model.caption([png], { beamSize: 5, nBest: 5, maxLength: 1 });
  console.log(f!.nBest.map(h => [h.tokens[0] ?? 2, h.tokenLogprobs[0]]), golden.firstStep.top);
}
