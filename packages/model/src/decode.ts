// Greedy and beam search over a step function, batched: every alive hypothesis of every image is
// one row of a single step call per time step. The step function owns the recurrent state; we only
// tell it, per new row, which row of the previous call it continues (`parents`).
import type { DecodeSettings } from './decode-options.js';

export interface StepOutput {
  /** [rows, vocabSize] log-probabilities of the next token. */
  logprobs: Float32Array;
  vocabSize: number;
  /** [rows, regions] attention weights that produced those log-probabilities (attention variant). */
  alpha: Float32Array | null;
  regions: number;
}

/**
 * Runs the step graph once. Row i feeds `tokens[i]` with the state that row `parents[i]` of the
 * previous call produced (for the first call: the init state of image `parents[i]`); `rowImages[i]`
 * is the image the row belongs to.
 */
export type StepFunction = (tokens: BigInt64Array, parents: Int32Array, rowImages: Int32Array) => Promise<StepOutput>;

export interface RawHypothesis {
  tokens: number[];
  tokenLogprobs: number[];
  logprob: number;
  score: number;
  ended: boolean;
  /** One [regions] row per word, when the model has attention. */
  alphas: Float32Array[];
}

interface Partial {
  image: number;
  tokens: number[];
  tokenLogprobs: number[];
  logprob: number;
  alphas: Float32Array[];
  /** Row of this hypothesis in the latest step output. */
  row: number;
}

export interface SearchParams {
  imageCount: number;
  settings: DecodeSettings;
  startToken: number;
  endToken: number;
  /** Called once per image when its last hypothesis has finished (for per-image latency). */
  onImageDone?: (image: number) => void;
}

/** Returns, per image, its finished hypotheses best first (at most settings.nBest). */
export async function search(step: StepFunction, params: SearchParams): Promise<RawHypothesis[][]> {
  const finished: RawHypothesis[][] = Array.from({ length: params.imageCount }, () => []);
  if (params.settings.strategy === 'greedy') await greedySearch(step, params, finished);
  else await beamSearch(step, params, finished);
  return finished.map((list) =>
    list
      .map((h, order) => ({ h, order }))
      .sort((a, b) => b.h.score - a.h.score || a.order - b.order)
      .slice(0, params.settings.nBest)
      .map(({ h }) => h),
  );
}

function startHypotheses(imageCount: number): Partial[] {
  return Array.from({ length: imageCount }, (_, image) => ({
    image,
    tokens: [],
    tokenLogprobs: [],
    logprob: 0,
    alphas: [],
    row: image,
  }));
}

function finisher(settings: DecodeSettings, finished: RawHypothesis[][]) {
  return (h: Partial, ended: boolean): void => {
    const length = Math.max(1, h.tokenLogprobs.length);
    finished[h.image]!.push({
      tokens: h.tokens,
      tokenLogprobs: h.tokenLogprobs,
      logprob: h.logprob,
      score: settings.lengthPenalty === 0 ? h.logprob : h.logprob / Math.pow(length, settings.lengthPenalty),
      ended,
      alphas: h.alphas,
    });
  };
}

async function runStep(step: StepFunction, alive: Partial[], startToken: number): Promise<StepOutput> {
  const tokens = BigInt64Array.from(alive, (h) => BigInt(h.tokens.at(-1) ?? startToken));
  const parents = Int32Array.from(alive, (h) => h.row);
  const rowImages = Int32Array.from(alive, (h) => h.image);
  const out = await step(tokens, parents, rowImages);
  alive.forEach((h, row) => (h.row = row));
  return out;
}

function alphaRow(out: StepOutput, row: number): Float32Array[] {
  return out.alpha ? [out.alpha.slice(row * out.regions, (row + 1) * out.regions)] : [];
}

// After maxLength words only the end token may follow, so every hypothesis is scored with an end
// token (forced when the model would have gone on); training/decode.py does the same.
function forcedEnd(h: Partial, settings: DecodeSettings): boolean {
  return h.tokens.length >= settings.maxLength;
}

// The plain loop: each image keeps one hypothesis and extends it by its most likely token
// (the first one on ties, like torch.argmax).
async function greedySearch(step: StepFunction, params: SearchParams, finished: RawHypothesis[][]): Promise<void> {
  const { settings, startToken, endToken } = params;
  const finish = finisher(settings, finished);
  let alive = startHypotheses(params.imageCount);
  while (alive.length > 0) {
    const out = await runStep(step, alive, startToken);
    const next: Partial[] = [];
    for (const h of alive) {
      const offset = h.row * out.vocabSize;
      const forced = forcedEnd(h, settings);
      let token = forced ? endToken : 0;
      if (!forced) {
        for (let v = 1; v < out.vocabSize; v++)
          if (out.logprobs[offset + v]! > out.logprobs[offset + token]!) token = v;
      }
      const logprob = out.logprobs[offset + token]!;
      h.tokenLogprobs.push(logprob);
      h.logprob += logprob;
      if (token === endToken) {
        finish(h, !forced);
        params.onImageDone?.(h.image);
      } else {
        h.tokens.push(token);
        h.alphas.push(...alphaRow(out, h.row));
        next.push(h);
      }
    }
    alive = next;
  }
}

// Beam search as fairseq (and training/decode.py) does it: per image, the 2k best extensions of its
// alive hypotheses are walked best first; the end token moves a hypothesis to the finished list,
// any other token fills one of the k alive slots. An image is done once it has k finished
// hypotheses, which are then ranked by length-normalised score. Each image stops on its own, so a
// caption never depends on which other images shared the batch.
async function beamSearch(step: StepFunction, params: SearchParams, finished: RawHypothesis[][]): Promise<void> {
  const { settings, startToken, endToken } = params;
  const k = settings.beamSize;
  const finish = finisher(settings, finished);
  let alive = startHypotheses(params.imageCount);
  while (alive.length > 0) {
    const out = await runStep(step, alive, startToken);
    const next: Partial[] = [];
    // Alive hypotheses are kept grouped by image, so each image is one contiguous run of rows.
    for (let first = 0; first < alive.length;) {
      const image = alive[first]!.image;
      let end = first;
      while (end < alive.length && alive[end]!.image === image) end++;
      const forced = forcedEnd(alive[first]!, settings); // alive hypotheses of an image have equal length
      const candidates = forced
        ? endExtensions(alive, first, end, out, endToken)
        : bestExtensions(alive, first, end, out, 2 * k);
      let slots = 0;
      const before = next.length;
      for (const { parent, token, logprob } of candidates) {
        if (slots === k) break;
        if (token === endToken) {
          finish(
            { ...parent, tokenLogprobs: [...parent.tokenLogprobs, logprob], logprob: parent.logprob + logprob },
            !forced,
          );
          continue;
        }
        slots++;
        next.push({
          image,
          tokens: [...parent.tokens, token],
          tokenLogprobs: [...parent.tokenLogprobs, logprob],
          logprob: parent.logprob + logprob,
          alphas: [...parent.alphas, ...alphaRow(out, parent.row)],
          row: parent.row,
        });
      }
      if (finished[image]!.length >= k || next.length === before) {
        next.length = before; // done: drop its alive hypotheses
        params.onImageDone?.(image);
      }
      first = end;
    }
    alive = next;
  }
}

interface Extension {
  parent: Partial;
  token: number;
  logprob: number;
  score: number;
}

// The `width` best (hypothesis, next token) pairs of one image by total log-probability; ties go to
// the earlier hypothesis and the lower token id.
function bestExtensions(alive: Partial[], first: number, end: number, out: StepOutput, width: number): Extension[] {
  const candidates: Extension[] = [];
  for (let i = first; i < end; i++) {
    const parent = alive[i]!;
    const offset = parent.row * out.vocabSize;
    for (const token of topTokens(out.logprobs, offset, out.vocabSize, width)) {
      const logprob = out.logprobs[offset + token]!;
      candidates.push({ parent, token, logprob, score: parent.logprob + logprob });
    }
  }
  // Stable sort keeps hypothesis order, then token order (topTokens returns ties by id) for ties.
  return candidates.sort((a, b) => b.score - a.score).slice(0, width);
}

// At maxLength: the end token after each alive hypothesis, best first.
function endExtensions(alive: Partial[], first: number, end: number, out: StepOutput, endToken: number): Extension[] {
  const candidates: Extension[] = [];
  for (let i = first; i < end; i++) {
    const parent = alive[i]!;
    const logprob = out.logprobs[parent.row * out.vocabSize + endToken]!;
    candidates.push({ parent, token: endToken, logprob, score: parent.logprob + logprob });
  }
  return candidates.sort((a, b) => b.score - a.score);
}

// Indices of the k largest values of values[offset .. offset+count), largest first, ties by index.
function topTokens(values: Float32Array, offset: number, count: number, k: number): number[] {
  const best: number[] = [];
  for (let token = 0; token < count; token++) {
    const value = values[offset + token]!;
    if (best.length === k && value <= values[offset + best[k - 1]!]!) continue;
    let at = best.length;
    while (at > 0 && value > values[offset + best[at - 1]!]!) at--;
    best.splice(at, 0, token);
    if (best.length > k) best.pop();
  }
  return best;
}
