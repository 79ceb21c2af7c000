// Evaluation runs: corpus BLEU-1..4 of a model over a dataset split, computed in the background (independent
// of the request that started it, so a client disconnecting changes nothing). Captions already stored with the
// same settings are reused; missing ones go through the captioning queue, so evaluation shares its CPU bound.
// Progress is checkpointed in the database: a run cut short by a restart is requeued and resumes cheaply,
// because the captions it had produced are stored.
import { corpusBleu, tokenize } from '@captioner/model';
import type { CaptionRecord, Database, EvaluationRunRecord, Split } from '@captioner/db';
import { badInput } from '../errors.js';
import type { CaptionService } from '../captioning/caption-service.js';

/** Bump when the BLEU definition (tokenisation, smoothing, reference handling) changes. */
export const bleuMetricVersion = 'nltk-corpus-bleu/cumulative-uniform/no-smoothing/tokenize-lower-nopunct@1';

const chunkSize = 32;

export class EvaluationRunner {
  private working = false;
  private stopping = false;
  private current: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Database,
    private readonly captions: CaptionService,
    private readonly log: (message: string) => void,
    /** Called after each stored change (progress, result), e.g. to invalidate cached responses. */
    private readonly onChange: () => void = () => undefined,
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

  /** Runs queued runs one after another until none is left. */
  wake(): void {
    if (this.working || this.stopping) return;
    this.working = true;
    this.current = (async () => {
      try {
        for (;;) {
          if (this.stopping) break;
          const run = await this.db.evaluationRuns.claimNext();
          if (!run) break;
          await this.execute(run);
        }
      } catch (error) {
        this.log(`Evaluation worker stopped: ${(error as Error).message}`);
      } finally {
        this.working = false;
      }
    })();
  }

  /** Stops after the current chunk; the interrupted run is requeued at the next start (requeueInterrupted). */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.current;
  }

  private async execute(run: EvaluationRunRecord): Promise<void> {
    try {
      const settings = { beamSize: Number(run.settings.beamSize), maxLength: Number(run.settings.maxLength) };
      const ids = await this.db.images.listIdsForEvaluation({ split: run.split, dataset: run.dataset ?? undefined });
      await this.db.evaluationRuns.setTotal(run.id, ids.length);
      const byImage = new Map<string, CaptionRecord>();
      let reused = 0;
      for (let start = 0; start < ids.length; start += chunkSize) {
        if (this.stopping) return; // left 'running'; requeued and resumed at the next start
        const chunk = ids.slice(start, start + chunkSize);
        const stored = await this.db.captions.findForImages({
          modelId: run.modelId,
          settings: { ...settings },
          imageIds: chunk,
        });
        reused += stored.size;
        const missing = chunk.filter((id) => !stored.has(id));
        const made = await Promise.all(
          missing.map((imageId) =>
            this.captions.queue.enqueue({ imageId, modelId: run.modelId, ...settings }, 'background'),
          ),
        );
        for (const c of [...stored.values(), ...made]) byImage.set(c.imageId, c);
        await this.db.evaluationRuns.progress(run.id, {
          done: Math.min(ids.length, start + chunk.length),
          reusedCaptions: reused,
        });
        this.onChange();
      }
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
      await this.db.evaluationRuns.succeed(run.id, corpusBleu(refs, hyps));
      this.onChange();
    } catch (error) {
      if (this.stopping && (error as Error).name === 'QueueClosedError') return; // requeued at the next start
      const message = error instanceof Error ? error.message : String(error);
      this.log(`Evaluation run ${run.id} failed: ${message}`);
      await this.db.evaluationRuns.fail(run.id, message).catch(() => undefined);
      this.onChange();
    }
  }
}
