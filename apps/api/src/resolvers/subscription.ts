// Subscription root fields (live progress over graphql-ws, live/subscription-server.ts). Each stream listens to the
// process's ProgressBus, so it sees work done by any process on the database. Streams read what they send from
// the database, and each event is resolved with fresh DataLoaders: one subscription's context lives as long as the
// socket, and cached records would go stale between events.
import type { CaptionRecord, EvaluationRunRecord, ImageRecord, ModelRecord } from '@captioner/db';
import { importJobNotFound, type ImportJob } from '../datasets/import-jobs.js';
import { badInput, notFound } from '../errors.js';
import { pendingCaptionsLoader, type Context } from '../graphql/context.js';
import { objectResolvers } from '../graphql/object-resolvers.js';
import { eventStream } from '../live/event-stream.js';

/** Most images one imageCaptioned subscription watches (an upload batch's worth). */
const MAX_WATCHED_IMAGES = 100;

export interface ImageCaptionedParent {
  image: ImageRecord;
  model: ModelRecord;
  caption: CaptionRecord | null;
  error: string | null;
}

/** Per-event context: loaders and memo start empty, so nested fields read what is stored now. */
function freshen(ctx: Context): void {
  ctx.loaders = ctx.services.db.createLoaders(ctx.voterId ? { voterId: ctx.voterId } : {});
  ctx.memo = new Map();
  ctx.captioningPending = pendingCaptionsLoader(ctx.services);
}

const finished = (status: string) => status === 'succeeded' || status === 'failed';

/**
 * Sends `read()`'s result now and again whenever `changed` fires (or the LISTEN connection came back), in order,
 * one read at a time: changes arriving during a read cause one more read, not one each. Ends after a value for
 * which `last` holds.
 */
function rereadStream<T>(
  ctx: Context,
  changed: (event: Parameters<Parameters<Context['services']['progress']['subscribe']>[0]>[0]) => boolean,
  read: () => Promise<T | null>,
  last: (value: T) => boolean,
): AsyncIterableIterator<T> {
  return eventStream<T>((sink) => {
    let reading = false;
    let again = false;
    const refresh = async () => {
      if (reading) {
        again = true;
        return;
      }
      reading = true;
      try {
        do {
          again = false;
          const value = await read();
          if (value !== null) {
            sink.push(value);
            if (last(value)) return sink.end();
          }
        } while (again);
      } catch (error) {
        sink.fail(error as Error);
      } finally {
        reading = false;
      }
    };
    const unsubscribe = ctx.services.progress.subscribe((event) => {
      if (changed(event)) void refresh();
    });
    const unresync = ctx.services.progress.onResync(() => void refresh());
    void refresh();
    return () => {
      unsubscribe();
      unresync();
    };
  });
}

export const Subscription = objectResolvers('Subscription')({
  importJobProgress: {
    async subscribe(_, args, ctx) {
      const first = await ctx.services.imports.get(args.id);
      if (!first) throw importJobNotFound(args.id);
      return rereadStream(
        ctx,
        (event) => event.kind === 'import' && event.jobId === first.id,
        () => ctx.services.imports.get(first.id),
        (job) => finished(job.status),
      );
    },
    resolve: (job: ImportJob, _: unknown, ctx: Context) => {
      freshen(ctx);
      return job;
    },
  },

  evaluationRunProgress: {
    async subscribe(_, args, ctx) {
      const first = await ctx.services.db.evaluationRuns.getById(args.id).catch(() => null);
      if (!first) throw notFound('evaluation run', args.id);
      return rereadStream(
        ctx,
        (event) => event.kind === 'evaluation' && event.runId === first.id,
        () => ctx.services.db.evaluationRuns.getById(first.id),
        (run) => finished(run.status),
      );
    },
    resolve: (run: EvaluationRunRecord, _: unknown, ctx: Context) => {
      freshen(ctx);
      return run;
    },
  },

  imageCaptioned: {
    subscribe(_, args, ctx) {
      const ids = new Set(args.imageIds);
      if (ids.size === 0 || ids.size > MAX_WATCHED_IMAGES) {
        throw badInput(`imageIds must name 1..${MAX_WATCHED_IMAGES} images; got ${ids.size}.`, 'imageIds');
      }
      const { db } = ctx.services;
      return eventStream<ImageCaptionedParent>((sink) => {
        // Reads run one after another, so events are sent in the order they were received.
        let chain = Promise.resolve();
        return ctx.services.progress.subscribe((event) => {
          if (event.kind !== 'caption' || !ids.has(event.imageId)) return;
          chain = chain
            .then(async () => {
              const [image, models, caption] = await Promise.all([
                db.images.getById(event.imageId),
                db.models.getByIds([event.modelId]),
                event.captionId ? db.captions.getById(event.captionId) : null,
              ]);
              // Deleted meanwhile: nothing left to show.
              if (image && models[0]) sink.push({ image, model: models[0], caption, error: event.error });
            })
            .catch((error: Error) => sink.fail(error));
        });
      });
    },
    resolve: (payload: ImageCaptionedParent, _: unknown, ctx: Context) => {
      freshen(ctx);
      return payload;
    },
  },
});
