// Evaluation runs: corpus BLEU-1..4, CIDEr-D and ROUGE-L of a model over a dataset split, computed in the
// background by workers (independent of the request that started it, so a client disconnecting changes nothing).
// Starting a run stores it and queues an `evaluate` job (jobs/job-queue.ts). A worker runs a job for a slice of
// time, chunk by chunk, then queues the next slice: progress is checkpointed in the database after each chunk and
// the captions it made are stored, so a run whose worker died is retried (its job expires) and continues where it
// was. Captions already stored with the same settings are reused; missing ones go through the worker's batching
// queue. A worker takes up to one job per loaded model at once and moves their runs through the images in step:
// runs of models that share an encoder (the Flickr8k models' ResNet50) then ask for the same images at the same
// time, and each image goes through the encoder once for all of them.
import { ciderD, corpusBleu, rougeL, tokenize } from '@captioner/model';
import type { CaptionRecord, Database, EvaluationRunRecord, Split } from '@captioner/db';
import { badInput } from '../errors.js';
import type { CaptionService } from '../captioning/caption-service.js';
import type { JobQueue } from '../jobs/job-queue.js';

/** Bump when the BLEU definition (tokenisation, smoothing, reference handling) changes. */
export const bleuMetricVersion = 'nltk-corpus-bleu/cumulative-uniform/no-smoothing/tokenize-lower-nopunct@1';
/** Bump when the CIDEr-D definition (n-grams, document frequencies, length penalty, tokenisation) changes. */
export const ciderMetricVersion = 'coco-cider-d/n1-4/df-evaluated-refs/sigma6/clipped/x10/tokenize-lower-nopunct@1';
/** Bump when the ROUGE-L definition (LCS F-measure, beta, tokenisation) changes. */
export const rougeLMetricVersion = 'coco-rouge-l/lcs-f/beta1.2/best-p-best-r/tokenize-lower-nopunct@1';

const chunkSize = 32;

/** What became of a run after a slice. */
export type SliceOutcome = 'finished' | 'continue';

export class EvaluationRunner {
  private stopping = false;

  constructor(
    private readonly db: Database,
    private readonly captions: CaptionService,
    private readonly jobs: JobQueue,
    private readonly log: (message: string) => void,
    /** Called after each stored change (progress, result), e.g. to invalidate cached responses. */
    private readonly onChange: () => void = () => undefined,
    /** Called after each stored change of one run (live progress). */
    private readonly onRunChange: (change: RunChange) => void = () => undefined,
  ) {}

  /** Starts a run (or joins the identical queued/running one) and queues its job. */
  async start(input: {
    modelId: string;
    split: Split;
    dataset?: string | null;
    beamSize?: number | null;
    maxLength?: number | null;
  }) {
    const { settings } = this.captions.resolve(input.modelId, input.beamSize, input.maxLength);
    const ids = await this.db.images.listIdsForEvaluation({ split: input.split, dataset: input.dataset ?? undefined });
    if (ids.length === 0) {
      throw badInput(
        `No images with reference captions in the ${input.split} split${input.dataset ? ` of dataset "${input.dataset}"` : ''}. Import a dataset first (npm run import -w @captioner/api -- <dir>).`,
        'split',
      );
    }
    const result = await this.db.evaluationRuns.startOrJoin({
      modelId: input.modelId,
      dataset: input.dataset ?? null,
      split: input.split,
      settings: { ...settings },
      metricVersion: bleuMetricVersion,
    });
    if (result.run.status === 'queued' || result.run.status === 'running')
      await this.jobs.sendEvaluation(result.run.id);
    return result;
  }

  /** Queues a job for every unfinished run (one waiting job per run at most): runs stored before jobs existed. */
  async requeueUnfinished(): Promise<number> {
    const runs = await this.db.evaluationRuns.listUnfinished();
    for (const run of runs) await this.jobs.sendEvaluation(run.id);
    return runs.length;
  }

  /** Ends slices after their current chunk (the worker is stopping); their runs continue in the next job. */
  stop(): void {
    this.stopping = true;
  }

  /** Runs slices again after stop() (a worker started anew in the same process). */
  reopen(): void {
    this.stopping = false;
  }

  /**
   * Runs these runs together until they finish, fail, or `sliceMs` has passed. Before each chunk, `join` may hand
   * over runs queued meanwhile (up to `runsTogether` in all); a run that joins starts at the chunk the others are
   * at and wraps round to the ones it missed, so runs over the same images keep asking for the same images at
   * the same time. A run that failed is stored as failed and reported finished; one cut off by the time or the
   * stop reports 'continue' (its caller queues the next slice). Throws only when the database fails (the job is
   * then retried).
   */
  async runSlice(
    runIds: readonly string[],
    options: { sliceMs: number; runsTogether: number; join?: (wanted: number) => Promise<string[]> },
  ): Promise<Map<string, SliceOutcome>> {
    const deadline = Date.now() + options.sliceMs;
    const outcome = new Map<string, SliceOutcome>();
    const active: RunState[] = [];
    const add = async (id: string) => {
      outcome.set(id, 'finished');
      const run = await this.db.evaluationRuns.resume(id);
      if (!run) return; // finished already (a slice that ran twice), or deleted
      const lead = active[0];
      const phase = lead ? lead.order[lead.next] : undefined;
      const state = await this.prepare(run, phase).catch((error: unknown) => this.failed(run, error));
      if (state) active.push(state);
    };
    for (const id of runIds) await add(id);
    for (;;) {
      if (options.join && active.length > 0 && active.length < options.runsTogether && !this.stopping) {
        for (const id of await options.join(options.runsTogether - active.length)) await add(id);
      }
      if (active.length === 0) break;
      if (this.stopping || Date.now() >= deadline) {
        for (const state of active) outcome.set(state.run.id, 'continue');
        break;
      }
      // Every run's stored captions of its chunk first, then all missing ones queued at once (completeChunk queues
      // before its first await): the worker's queue then batches the runs' jobs for the same images together.
      const stored = await Promise.all(
        active.map((state) =>
          state.next < state.order.length
            ? this.chunkCaptions(state).catch((error: unknown) =>
                error instanceof Error ? error : new Error(String(error)),
              )
            : null,
        ),
      );
      const outcomes = await Promise.all(
        active.map((state, i) => {
          const found = stored[i]!;
          if (found === null || found instanceof Error) return found;
          return this.completeChunk(state, found).then(
            () => null,
            (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
          );
        }),
      );
      // Failed runs and finished ones leave the group; the rest go on to their next chunk.
      for (const [i, error] of [...outcomes.entries()].reverse()) {
        const state = active[i]!;
        if (error === null && state.next < state.order.length) continue;
        active.splice(i, 1);
        if (error !== null) {
          // A stopping worker hands the chunk back: the next slice does it again.
          if (this.stopping && error.name === 'QueueClosedError') outcome.set(state.run.id, 'continue');
          else await this.failed(state.run, error);
        } else {
          await this.finish(state).catch((finishError: unknown) => this.failed(state.run, finishError));
        }
      }
      this.onChange();
    }
    return outcome;
  }

  /**
   * The run's image set and what is left of it: the chunks holding images without the run's caption, from the
   * chunk `phase` on (wrapping round). Progress counts the images captioned already, so a run resumed by another
   * worker (or a later slice) continues where it was, in whatever order it went.
   */
  private async prepare(run: EvaluationRunRecord, phase: number | undefined): Promise<RunState> {
    const settings = { beamSize: Number(run.settings.beamSize), maxLength: Number(run.settings.maxLength) };
    const ids = await this.db.images.listIdsForEvaluation({ split: run.split, dataset: run.dataset ?? undefined });
    const stored = await this.storedCaptions(run, settings, ids);
    const chunks = Math.max(1, Math.ceil(ids.length / chunkSize));
    const first = phase !== undefined && phase < chunks ? phase : 0;
    const order = Array.from({ length: chunks }, (_, k) => (first + k) % chunks).filter((c) =>
      ids.slice(c * chunkSize, (c + 1) * chunkSize).some((id) => !stored.has(id)),
    );
    const fresh = run.done === 0;
    if (fresh || run.total !== ids.length) await this.db.evaluationRuns.setTotal(run.id, ids.length);
    if (fresh && stored.size > 0) {
      await this.db.evaluationRuns.progress(run.id, { done: stored.size, reusedCaptions: stored.size });
    }
    const state = {
      run,
      settings,
      ids,
      order,
      next: 0,
      captioned: new Set(stored.keys()),
      done: stored.size,
      // Captions that were there before the run (the rest it made itself, or found made meanwhile).
      reused: fresh ? stored.size : run.reusedCaptions,
    };
    this.onRunChange({ runId: run.id, status: 'running', done: state.done, total: ids.length });
    return state;
  }

  private async storedCaptions(
    run: EvaluationRunRecord,
    settings: { beamSize: number; maxLength: number },
    ids: readonly string[],
  ): Promise<Map<string, CaptionRecord>> {
    const byImage = new Map<string, CaptionRecord>();
    for (let start = 0; start < ids.length; start += 500) {
      const found = await this.db.captions.findForImages({
        modelId: run.modelId,
        settings: { ...settings },
        imageIds: ids.slice(start, start + 500),
      });
      for (const [id, caption] of found) byImage.set(id, caption);
    }
    return byImage;
  }

  /** The run's next chunk and its captions stored now. */
  private async chunkCaptions(state: RunState): Promise<{ chunk: string[]; stored: Map<string, CaptionRecord> }> {
    const index = state.order[state.next]!;
    const chunk = state.ids.slice(index * chunkSize, (index + 1) * chunkSize);
    const stored = await this.db.captions.findForImages({
      modelId: state.run.modelId,
      settings: { ...state.settings },
      imageIds: chunk,
    });
    return { chunk, stored };
  }

  /** Makes the chunk's missing captions through the worker's queue (queued synchronously); saves progress. */
  private async completeChunk(
    state: RunState,
    { chunk, stored }: { chunk: string[]; stored: Map<string, CaptionRecord> },
  ): Promise<void> {
    const { run, settings, ids } = state;
    const missing = chunk.filter((id) => !stored.has(id));
    const made = await this.captions.execute(
      missing.map((imageId) => ({ imageId, modelId: run.modelId, ...settings })),
      'background',
    );
    const failure = made.find((m): m is Error => m instanceof Error);
    if (failure) throw failure;
    state.next++;
    // Captions that appeared since the run began (another run or worker made them) count as reused.
    for (const id of stored.keys()) if (!state.captioned.has(id)) state.reused++;
    for (const id of chunk) state.captioned.add(id);
    if (state.captioned.size === state.done) return;
    state.done = state.captioned.size;
    await this.db.evaluationRuns.progress(run.id, { done: state.done, reusedCaptions: state.reused });
    this.onRunChange({ runId: run.id, status: 'running', done: state.done, total: ids.length });
  }

  /** Corpus BLEU, CIDEr-D and ROUGE-L of the run's stored captions against the images' references. */
  private async finish({ run, settings, ids }: RunState): Promise<void> {
    const loaders = this.db.createLoaders({});
    const references = await loaders.referencesByImageId.loadMany(ids);
    const byImage = await this.storedCaptions(run, settings, ids);
    const refs: string[][][] = [];
    const hyps: string[][] = [];
    ids.forEach((id, i) => {
      const r = references[i];
      const caption = byImage.get(id);
      if (!caption || !Array.isArray(r) || r.length === 0) return;
      refs.push(r.map((x) => tokenize(x.text)));
      hyps.push(tokenize(caption.text));
    });
    // CIDEr-D's document frequencies come from exactly these references: the evaluated set (docs/metrics.md).
    await this.db.evaluationRuns.succeed(run.id, {
      bleu: corpusBleu(refs, hyps),
      cider: { value: ciderD(refs, hyps).corpus, version: ciderMetricVersion },
      rougeL: { value: rougeL(refs, hyps).corpus, version: rougeLMetricVersion },
    });
    this.onChange();
    this.onRunChange({ runId: run.id, status: 'succeeded', done: ids.length, total: ids.length });
  }

  private async failed(run: EvaluationRunRecord, error: unknown): Promise<null> {
    const message = error instanceof Error ? error.message : String(error);
    this.log(`Evaluation run ${run.id} failed: ${message}`);
    await this.db.evaluationRuns.fail(run.id, message).catch(() => undefined);
    this.onChange();
    this.onRunChange({ runId: run.id, status: 'failed', done: run.done, total: run.total });
    return null;
  }
}

/** One run's stored state after a change, as live progress reports it. */
export interface RunChange {
  runId: string;
  status: 'running' | 'succeeded' | 'failed';
  done: number;
  total: number;
}

interface RunState {
  run: EvaluationRunRecord;
  settings: { beamSize: number; maxLength: number };
  /** The images, in evaluation order. */
  ids: string[];
  /** Chunk indices left, in the order this run takes them (rotated when it joined a group mid-way). */
  order: number[];
  /** Position in `order` of the next chunk. */
  next: number;
  /** Images with the run's caption (progress is their number). */
  captioned: Set<string>;
  /** Images done so far (progress). */
  done: number;
  reused: number;
}
