import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import sharp from 'sharp';
import { loadModel } from './src/index.js';
const dir = '/work/main/models/shapes-lstm';
const png = await readFile(`${dir}/golden.png`);
for (const threads of [1, 2]) {
  const model = await loadModel(dir, { intraOpNumThreads: threads, interOpNumThreads: 1 });
  for (const beam of [1, 3]) {
    await model.caption([png], { beamSize: beam });
    const t: number[] = [];
    for (let i = 0; i < 40; i++) { const s = performance.now(); await model.caption([png], { beamSize: beam }); t.push(performance.now() - s); }
    t.sort((a, b) => a - b);
    const p: number[] = [];
    for (let i = 0; i < 40; i++) { const s = performance.now(); await model.preprocess(png); p.push(performance.now() - s); }
    p.sort((a, b) => a - b);
    console.log(`threads ${threads} beam ${beam}: p50 ${t[20]!.toFixed(2)}ms min ${t[0]!.toFixed(2)}; preprocess p50 ${p[20]!.toFixed(2)}`);
  }
  await model.dispose();
}
console.log(sharp.concurrency());
