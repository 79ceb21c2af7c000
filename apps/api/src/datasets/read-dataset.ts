// Reads a caption dataset directory in the layouts training/ reads (training/data.py, docs/datasets.md):
// Flickr8k official (also the synthetic shapes data), Karpathy's JSON, Kaggle's captions.txt.
// Only the index is read here; image files are opened by the importer.
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseCsv } from './csv.js';

export type DatasetFormat = 'flickr8k' | 'karpathy' | 'kaggle';
export type DatasetSplit = 'train' | 'val' | 'test';

export interface DatasetExample {
  /** File name as the dataset lists it. */
  file: string;
  /** Absolute path of the image file. */
  path: string;
  split: DatasetSplit;
  /** Reference captions, in dataset order. */
  captions: string[];
}

export interface Dataset {
  root: string;
  format: DatasetFormat;
  examples: DatasetExample[];
}

/** A directory that cannot be read as a dataset; the message says which file and what to do. */
export class DatasetError extends Error {
  override name = 'DatasetError';
}

const imageDirs = ['Flicker8k_Dataset', 'Flickr8k_Dataset', 'Images', 'images', '.'];
const officialTokens = 'Flickr8k.token.txt';
const officialSplits: Record<DatasetSplit, string> = {
  train: 'Flickr_8k.trainImages.txt',
  val: 'Flickr_8k.devImages.txt',
  test: 'Flickr_8k.testImages.txt',
};
const karpathyJson = 'dataset_flickr8k.json';
const kaggleCsv = 'captions.txt';

const isFile = async (p: string) => (await stat(p).catch(() => null))?.isFile() ?? false;

async function imageDir(root: string): Promise<string> {
  for (const name of imageDirs) {
    const dir = path.join(root, name);
    const entries = await readdir(dir).catch(() => null);
    if (entries?.some((e) => /\.jp[^.]*g$/i.test(e))) return dir;
  }
  throw new DatasetError(
    `no image folder with .jpg files in ${root}; expected one of ${imageDirs.slice(0, -1).join(', ')}`,
  );
}

async function readOfficial(root: string): Promise<DatasetExample[]> {
  const captions = new Map<string, string[]>();
  const lines = (await readFile(path.join(root, officialTokens), 'utf8')).split(/\r?\n/);
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    const tab = line.indexOf('\t');
    const key = tab >= 0 ? line.slice(0, tab) : line;
    const text = tab >= 0 ? line.slice(tab + 1).trim() : '';
    const hash = key.indexOf('#');
    if (tab < 0 || hash < 0 || !text) {
      throw new DatasetError(
        `${officialTokens} line ${i + 1} is malformed (want 'image.jpg#k<TAB>caption'): ${JSON.stringify(line.slice(0, 80))}`,
      );
    }
    const name = key.slice(0, hash);
    captions.set(name, [...(captions.get(name) ?? []), text]);
  });
  const images = await imageDir(root);
  const examples: DatasetExample[] = [];
  for (const [split, listName] of Object.entries(officialSplits) as [DatasetSplit, string][]) {
    const listPath = path.join(root, listName);
    if (!(await isFile(listPath))) {
      throw new DatasetError(
        `missing split list ${listPath}; Flickr8k's official layout has ${Object.values(officialSplits).join(', ')}`,
      );
    }
    for (const name of (await readFile(listPath, 'utf8')).split(/\s+/).filter(Boolean)) {
      const texts = captions.get(name);
      if (!texts) throw new DatasetError(`${listName} lists ${name} but ${officialTokens} has no captions for it`);
      examples.push({ file: name, path: path.join(images, name), split, captions: texts });
    }
  }
  return examples;
}

async function readKarpathy(root: string): Promise<DatasetExample[]> {
  let entries: unknown[];
  try {
    const data = JSON.parse(await readFile(path.join(root, karpathyJson), 'utf8')) as { images?: unknown };
    if (!Array.isArray(data.images)) throw new Error("no 'images' array");
    entries = data.images;
  } catch (error) {
    throw new DatasetError(
      `${karpathyJson} is not Karpathy's format (${(error as Error).message}); want {"images": [...]}`,
    );
  }
  const images = await imageDir(root);
  return entries.map((raw, i) => {
    const entry = raw as { filename?: unknown; split?: unknown; sentences?: { raw?: unknown }[] };
    const texts = Array.isArray(entry.sentences) ? entry.sentences.map((s) => s?.raw) : null;
    if (
      typeof entry.filename !== 'string' ||
      typeof entry.split !== 'string' ||
      !texts ||
      texts.some((t) => typeof t !== 'string')
    ) {
      throw new DatasetError(
        `${karpathyJson} image #${i} lacks filename, split or sentences[].raw; each needs all three`,
      );
    }
    const split = entry.split === 'restval' ? 'train' : entry.split;
    if (split !== 'train' && split !== 'val' && split !== 'test') {
      throw new DatasetError(`${karpathyJson} image #${i} has unknown split ${JSON.stringify(entry.split)}`);
    }
    return { file: entry.filename, path: path.join(images, entry.filename), split, captions: texts as string[] };
  });
}

/**
 * Kaggle's CSV has no split: sorted file names, the last eighth is test and the eighth before it val
 * (the rule training/data.py's kaggle_split uses; Python's round() rounds halves to even).
 */
export function kaggleSplit(names: readonly string[]): Map<string, DatasetSplit> {
  const ordered = [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const eighth = ordered.length / 8;
  const floor = Math.floor(eighth);
  const nEval = eighth - floor === 0.5 ? (floor % 2 === 0 ? floor : floor + 1) : Math.round(eighth);
  const nTrain = ordered.length - 2 * nEval;
  return new Map(ordered.map((name, i) => [name, i < nTrain ? 'train' : i < nTrain + nEval ? 'val' : 'test']));
}

async function readKaggle(root: string): Promise<DatasetExample[]> {
  let rows: string[][];
  try {
    rows = parseCsv(await readFile(path.join(root, kaggleCsv), 'utf8'));
  } catch (error) {
    if (error instanceof Error && 'code' in error && String(error.code).startsWith('CSV_')) {
      throw new DatasetError(`${kaggleCsv} is not valid CSV: ${error.message}`);
    }
    throw error;
  }
  const header = rows[0];
  if (!header || header[0]?.trim() !== 'image' || header[1]?.trim() !== 'caption') {
    throw new DatasetError(
      `${kaggleCsv} must start with the header 'image,caption', got ${JSON.stringify(header ?? null)}`,
    );
  }
  const captions = new Map<string, string[]>();
  rows.slice(1).forEach((row, i) => {
    if (row.length === 0) return;
    const name = row[0]?.trim() ?? '';
    const text = row.slice(1).join(',').trim();
    if (row.length < 2 || !name || !text) {
      throw new DatasetError(
        `${kaggleCsv} line ${i + 2} is malformed (want 'image.jpg,caption'): ${JSON.stringify(row)}`,
      );
    }
    captions.set(name, [...(captions.get(name) ?? []), text]);
  });
  const images = await imageDir(root);
  const splits = kaggleSplit([...captions.keys()]);
  return [...captions].map(([name, texts]) => ({
    file: name,
    path: path.join(images, name),
    split: splits.get(name)!,
    captions: texts,
  }));
}

export async function detectFormat(root: string): Promise<DatasetFormat> {
  if (await isFile(path.join(root, officialTokens))) return 'flickr8k';
  if (await isFile(path.join(root, karpathyJson))) return 'karpathy';
  if (await isFile(path.join(root, kaggleCsv))) return 'kaggle';
  throw new DatasetError(
    `${root} holds none of ${officialTokens}, ${karpathyJson}, ${kaggleCsv}; point at a Flickr8k folder or generate shapes with \`python3 -m training shapes\``,
  );
}

/** Every example of a dataset directory with its split; `format` forces a layout instead of detecting it. */
export async function readDataset(root: string, format?: DatasetFormat): Promise<Dataset> {
  const dir = path.resolve(root);
  if (!(await stat(dir).catch(() => null))?.isDirectory())
    throw new DatasetError(`dataset directory ${dir} does not exist`);
  const chosen = format ?? (await detectFormat(dir));
  const readers = { flickr8k: readOfficial, karpathy: readKarpathy, kaggle: readKaggle };
  const required = { flickr8k: officialTokens, karpathy: karpathyJson, kaggle: kaggleCsv }[chosen];
  if (!(await isFile(path.join(dir, required))))
    throw new DatasetError(`${dir} has no ${required}, so it is not in the ${chosen} layout`);
  const examples = await readers[chosen](dir);
  const missing: string[] = [];
  for (const e of examples) if (!(await isFile(e.path))) missing.push(e.file);
  if (missing.length > 0) {
    throw new DatasetError(
      `${missing.length} image(s) listed in ${dir} are missing, e.g. ${missing.slice(0, 3).join(', ')}; re-extract the image archive or remove them from the caption file`,
    );
  }
  return { root: dir, format: chosen, examples };
}
