#!/usr/bin/env node
// Rebuilds the demo gallery demo/flickr8k-test from a Flickr8k folder in the official layout:
//
//   node scripts/make-demo.mjs <flickr8k-dir> [--out demo/flickr8k-test]
//
// The output is itself a Flickr8k folder in the official layout holding only the official TEST split: the 1000
// images listed in Flickr_8k.testImages.txt, copied byte for byte; the Flickr8k.token.txt lines of those images
// (their five reference captions, in the source's order); Flickr_8k.testImages.txt; empty train and dev lists
// (the dataset reader wants all three lists); and README.txt with the corpus's citation. `npm start` imports it
// on first start (apps/api/src/datasets/demo-gallery.ts).
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const usage = 'Usage: node scripts/make-demo.mjs <flickr8k-dir> [--out <dir>]   (default --out demo/flickr8k-test)';

const imageDirs = ['Flicker8k_Dataset', 'Flickr8k_Dataset'];
const tokens = 'Flickr8k.token.txt';
const lists = { train: 'Flickr_8k.trainImages.txt', dev: 'Flickr_8k.devImages.txt', test: 'Flickr_8k.testImages.txt' };

// The corpus's readme.txt asks users to cite this paper; it is copied here verbatim (typos included).
const citation = `Please cite: M. Hodosh, P. Young and J. Hockenmaier (2013) "Framing Image Description as a Ranking Task: Data, Models and Evaluation Metrics", Journal of Artifical Intellegence Research, Volume 47, pages 853-899
http://www.jair.org/papers/paper3994.html`;

class UsageError extends Error {}

const exists = async (p) => (await stat(p).catch(() => null)) !== null;
const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

function readme(count, sourceReadme) {
  return `Flickr8k demo gallery: the official TEST split of Flickr8k (${count} images, 5 reference captions each),
in Flickr8k's official layout. \`npm start\` imports it into the gallery on first start, with its reference
captions and split "test", and captions it with every shipped model.

Contents: Flicker8k_Dataset/ (the ${count} images, byte for byte as distributed, 224x224 JPEG in the copy this
was made from), Flickr8k.token.txt (the caption lines of these images only), Flickr_8k.testImages.txt (the
official test list), and empty Flickr_8k.trainImages.txt / Flickr_8k.devImages.txt.
Rebuild from a complete Flickr8k folder with: node scripts/make-demo.mjs <flickr8k-dir>

Source and terms. Flickr8k was collected by M. Hodosh, P. Young and J. Hockenmaier (University of Illinois at
Urbana-Champaign) from Flickr and is distributed for research use. The photographs remain their owners' work
under Flickr's terms; they are included here for non-commercial research and demonstration only. Do not
redistribute them for other purposes. The corpus's readme.txt says:

If you use this corpus / data:

${sourceReadme ?? citation}
`;
}

/** The citation paragraph of the source readme.txt, when it has the expected one. */
async function sourceCitation(dir) {
  const text = await readFile(path.join(dir, 'readme.txt'), 'utf8').catch(() => null);
  if (!text) return null;
  const match = /Please cite:[^\n]*\n[^\n]*/.exec(text.replace(/\r\n/g, '\n'));
  return match ? match[0].trim() : null;
}

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { out: { type: 'string', default: path.join(root, 'demo', 'flickr8k-test') }, help: { type: 'boolean' } },
  });
  if (values.help) {
    console.log(usage);
    return;
  }
  if (positionals.length !== 1) throw new UsageError(usage);
  const source = path.resolve(positionals[0]);
  const out = path.resolve(values.out);
  if (!(await stat(source).catch(() => null))?.isDirectory()) throw new UsageError(`${source} is not a directory.`);

  let images = null;
  for (const name of imageDirs) if (await exists(path.join(source, name))) images = path.join(source, name);
  if (!images)
    throw new Error(`${source} has no ${imageDirs.join(' or ')} folder; it is not Flickr8k's official layout.`);
  for (const file of [tokens, lists.test]) {
    if (!(await exists(path.join(source, file))))
      throw new Error(`${source} has no ${file}; it is not Flickr8k's official layout.`);
  }

  const test = (await readFile(path.join(source, lists.test), 'utf8')).split(/\s+/).filter(Boolean);
  if (new Set(test).size !== test.length) throw new Error(`${lists.test} lists an image twice.`);
  const wanted = new Set(test);
  const captionLines = [];
  const counts = new Map();
  (await readFile(path.join(source, tokens), 'utf8')).split(/\r?\n/).forEach((line, i) => {
    if (!line.trim()) return;
    const match = /^([^#\t]+)#\d+\t\S/.exec(line);
    if (!match) throw new Error(`${tokens} line ${i + 1} is malformed: ${JSON.stringify(line.slice(0, 80))}`);
    if (!wanted.has(match[1])) return;
    captionLines.push(line);
    counts.set(match[1], (counts.get(match[1]) ?? 0) + 1);
  });
  const uncaptioned = test.filter((name) => !counts.has(name));
  if (uncaptioned.length > 0)
    throw new Error(`${tokens} has no captions for ${uncaptioned.length} test image(s), e.g. ${uncaptioned[0]}.`);
  const missing = [];
  for (const name of test) if (!(await exists(path.join(images, name)))) missing.push(name);
  if (missing.length > 0)
    throw new Error(
      `${missing.length} test image(s) are missing from ${images}, e.g. ${missing.slice(0, 3).join(', ')}.`,
    );

  // Refuse to replace a folder that is not an earlier demo build.
  if (await exists(out)) {
    const entries = await readdir(out);
    if (entries.length > 0 && !entries.includes(tokens))
      throw new Error(`${out} exists and is not a Flickr8k folder; refusing to replace it. Choose another --out.`);
  }
  // Build next to the target, then swap, so an interrupted run never leaves a half-written demo.
  const building = `${out}.building-${process.pid}`;
  await rm(building, { recursive: true, force: true });
  const imagesOut = path.join(building, 'Flicker8k_Dataset');
  await mkdir(imagesOut, { recursive: true });
  let bytes = 0;
  try {
    for (const name of test) {
      const from = path.join(images, name);
      const to = path.join(imagesOut, name);
      await copyFile(from, to);
      const [a, b] = await Promise.all([readFile(from), readFile(to)]);
      if (sha256(a) !== sha256(b)) throw new Error(`copy of ${name} differs from its source`);
      bytes += b.length;
    }
    await writeFile(path.join(building, tokens), `${captionLines.join('\n')}\n`);
    await writeFile(path.join(building, lists.test), `${test.join('\n')}\n`);
    await writeFile(path.join(building, lists.train), '');
    await writeFile(path.join(building, lists.dev), '');
    await writeFile(path.join(building, 'README.txt'), readme(test.length, await sourceCitation(source)));
    await rm(out, { recursive: true, force: true });
    await mkdir(path.dirname(out), { recursive: true });
    await rename(building, out);
  } catch (error) {
    await rm(building, { recursive: true, force: true });
    throw error;
  }
  console.log(
    `Wrote ${out}: ${test.length} test images (${(bytes / 1e6).toFixed(1)} MB), ${captionLines.length} reference captions.`,
  );
}

main().catch((error) => {
  console.error(error instanceof UsageError ? error.message : `make-demo: ${error.message}`);
  process.exit(error instanceof UsageError ? 2 : 1);
});
