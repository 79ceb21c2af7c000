// Evaluation runs: corpus BLEU-1..4, CIDEr-D and ROUGE-L of a model over a dataset split, computed in the background (independent
// of the request that started it, so a client disconnecting changes nothing). Captions already stored with the
// same settings are reused; missing ones go through the captioning queue, so evaluation shares its CPU bound.
// Progress is checkpointed in the database: a run cut short by a restart is requeued and resumes cheaply,
// because the captions it had produced are stored. The worker claims up to `runsTogether` queued runs (the
// service uses one per loaded model) and moves them through their images in step, chunk by chunk: the runs of
// models that share an encoder (the Flickr8k models' ResNet50) then queue jobs for the same images at the same
// time, the caption queue batches them together, and each image goes through the encoder once for all of them.
import { ciderD, corpusBleu, rougeL, tokenize } from '@captioner/model';
import type { CaptionRecord, Database, EvaluationRunRecord, Split } from '@captioner/db';
import { badInput } from '../errors.js';
import type { CaptionService } from '../captioning/caption-service.js';

/** Bump when the BLEU definition (tokenisation, smoothing, reference handling) changes. */
export const bleuMetricVersion = 'nltk-corpus-bleu/cumulative-uniform/no-smoothing/tokenize-lower-nopunct@1';
/** Bump when the CIDEr-D definition (n-grams, document frequencies, length penalty, tokenisation) changes. */
export const ciderMetricVersion = 'coco-cider-d/n1-4/df-evaluated-refs/sigma6/clipped/x10/tokenize-lower-nopunct@1';
/** Bump when the ROUGE-L definition (LCS F-measure, beta, tokenisation) changes. */
export const rougeLMetricVersion = 'coco-rouge-l/lcs-f/beta1.2/best-p-best-r/tokenize-lower-nopunct@1';

const chunkSize = 32;

export class EvaluationRunner {
  private working = false;
  private wakeups = 0;
  private stopping = false;
  private current: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Database,
    private readonly captions: CaptionService,
    private readonly log: (message: string) => void,
    /** Called after each stored change (progress, result), e.g. to invalidate cached responses. */
    private readonly onChange: () => void = () => undefined,
    /** Queued runs claimed and executed together. */
    private readonly runsTogether = 1,
    /** Called after each stored change of one run (live progress). */
    private readonly onRunChange: (change: RunChange) => void = () => undefined,
  ) {}

  /** Starts a run (or joins the identical queued/running one) and wakes the worker. */
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
    this.wake();
    return result;
  }

  /** Runs queued runs (up to runsTogether at a time) until none is left. */
  wake(): void {
    this.wakeups++;
    if (this.working || this.stopping) return;
    this.working = true;
    this.current = (async () => {
      try {
        for (;;) {
          if (this.stopping) break;
          const seen = this.wakeups;
          const ran = await this.execute();
          // Nothing queued, unless a run was started meanwhile (its wake() found this worker busy).
          if (!ran && this.wakeups === seen) break;
        }
      } catch (error) {
        this.log(`Evaluation worker stopped: ${(error as Error).message}`);
      } finally {
        this.working = false;
      }
    })();
  }

  /** Stops after the current chunk; interrupted runs are requeued at the next start (requeueInterrupted). */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.current;
  }

  /**
   * Executes queued runs together until none is left; returns whether there was any. Before each chunk, runs
   * queued meanwhile join the group (up to runsTogether). Every step takes one chunk of each run: the stored
   * captions of all of them are looked up first, then all missing ones are queued at once. A run that joins
   * later starts at the chunk the others are at (and wraps round to the ones it missed), so runs over the same
   * images keep asking for the same images at the same time.
   */
  private async execute(): Promise<boolean> {
    const active: RunState[] = [];
    let any = false;
    for (;;) {
      if (this.stopping) return any; // runs left 'running' are requeued and resumed at the next start
      while (active.length < this.runsTogether) {
        const run = await this.db.evaluationRuns.claimNext();
        if (!run) break;
        any = true;
        const phase = active[0] ? active[0].ids[active[0].order[active[0].next]! * chunkSize] : undefined;
        const state = await this.prepare(run, phase).catch((error: unknown) => this.failed(run, error));
        if (state) active.push(state);
      }
      if (active.length === 0) return any;

      const starts = active.map((state) => state.order[state.next]! * chunkSize);
      const stored = await Promise.all(
        active.map((state, i) => this.storedCaptions(state, starts[i]!).catch((error: unknown) => error as Error)),
      );
      const outcomes = await Promise.all(
        active.map((state, i) => {
          const found = stored[i]!;
          if (found instanceof Error) return found;
          return this.completeChunk(state, starts[i]!, found).then(
            () => null,
            (error: unknown) => error as Error,
          );
        }),
      );
      // Failed runs and finished ones leave the group; the rest go on to their next chunk.
      for (const [i, error] of [...outcomes.entries()].reverse()) {
        const state = active[i]!;
        if (error === null && state.next < state.order.length) continue;
        active.splice(i, 1);
        if (error !== null) {
          if (this.stopping && error.name === 'QueueClosedError') continue; // requeued at the next start
          await this.failed(state.run, error);
        } else {
          await this.finish(state).catch((finishError: unknown) => this.failed(state.run, finishError));
        }
      }
      this.onChange();
    }
  }

  /** The run's image set and chunk order: from the chunk holding `phase` (an image id), if the run has it. */
  private async prepare(run: EvaluationRunRecord, phase: string | undefined): Promise<RunState> {
    const settings = { beamSize: Number(run.settings.beamSize), maxLength: Number(run.settings.maxLength) };
    const ids = await this.db.images.listIdsForEvaluation({ split: run.split, dataset: run.dataset ?? undefined });
    await this.db.evaluationRuns.setTotal(run.id, ids.length);
    this.onRunChange({ runId: run.id, status: 'running', done: 0, total: ids.length });
    const chunks = Math.max(1, Math.ceil(ids.length / chunkSize));
    const at = phase === undefined ? -1 : ids.indexOf(phase);
    const first = at < 0 ? 0 : Math.floor(at / chunkSize);
    const order = Array.from({ length: chunks }, (_, k) => (first + k) % chunks);
    return { run, settings, ids, order, next: 0, done: 0, byImage: new Map(), reused: 0 };
  }

  /** The run's stored captions of images start..start+chunkSize (with its settings). */
  private storedCaptions({ run, settings, ids }: RunState, start: number): Promise<Map<string, CaptionRecord>> {
    return this.db.captions.findForImages({
      modelId: run.modelId,
      settings: { ...settings },
      imageIds: ids.slice(start, start + chunkSize),
    });
  }

  /** Queues (synchronously, before its first await) the chunk's missing captions, waits for them, saves progress. */
  private async completeChunk(state: RunState, start: number, stored: Map<string, CaptionRecord>): Promise<void> {
    const { run, settings, ids, byImage } = state;
    const chunk = ids.slice(start, start + chunkSize);
    const made = Promise.all(
      chunk
        .filter((id) => !stored.has(id))
        .map((imageId) => this.captions.queue.enqueue({ imageId, modelId: run.modelId, ...settings }, 'background')),
    );
    for (const c of [...stored.values(), ...(await made)]) byImage.set(c.imageId, c);
    state.reused += stored.size;
    state.done += chunk.length;
    state.next++;
    if (chunk.length === 0) return;
    await this.db.evaluationRuns.progress(run.id, { done: state.done, reusedCaptions: state.reused });
    this.onRunChange({ runId: run.id, status: 'running', done: state.done, total: ids.length });
  }

  /** Corpus BLEU, CIDEr-D and ROUGE-L of the same captions against the images' references. */
  private async finish({ run, ids, byImage }: RunState): Promise<void> {
    const loaders = this.db.createLoaders({});
    const references = await loaders.referencesByImageId.loadMany(ids);
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

  private async failed(run: EvaluationRunRecord, error: unknown): Promise<void> {
    const message = error instanceof Error ? error.message : String(error);
    this.log(`Evaluation run ${run.id} failed: ${message}`);
    await this.db.evaluationRuns.fail(run.id, message).catch(() => undefined);
    this.onChange();
    this.onRunChange({ runId: run.id, status: 'failed', done: run.done, total: run.total });
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
  /** Chunk indices in the order this run takes them (rotated when it joined a group mid-way). */
  order: number[];
  /** Position in `order` of the next chunk. */
  next: number;
  /** Images done so far (progress). */
  done: number;
  byImage: Map<string, CaptionRecord>;
  reused: number;
}
