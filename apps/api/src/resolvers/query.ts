// Query root fields.
import type { ImageFilter } from '@captioner/db';
import { BLEU_FILTER, InvalidInputError, PAGE_SIZE, RATING_FILTER } from '@captioner/db';
import { objectResolvers } from '../graphql/object-resolvers.js';
import { badInput } from '../errors.js';
import { readHumanAgreement } from '../metrics/human-agreement.js';

const maxPage = PAGE_SIZE.max;

/** Lookups by id answer null for ids that cannot exist (malformed) as for ids that do not. */
async function orNull<T>(work: () => Promise<T | null>): Promise<T | null> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof InvalidInputError) return null;
    throw error;
  }
}

function checkRange(name: string, value: number | null | undefined, { min, max }: { min: number; max: number }) {
  if (value !== null && value !== undefined && (!Number.isFinite(value) || value < min || value > max)) {
    throw badInput(`filter.${name} must be between ${min} and ${max}; got ${value}.`, `filter.${name}`);
  }
}

export const Query = objectResolvers('Query')({
  async images(_, args, ctx) {
    const first = args.first ?? PAGE_SIZE.default;
    if (!Number.isInteger(first) || first < PAGE_SIZE.min || first > PAGE_SIZE.max) {
      throw badInput(
        `first must be ${PAGE_SIZE.min}..${PAGE_SIZE.max}; got ${first}. Page through with after.`,
        'first',
      );
    }
    const filter: ImageFilter = { ...(args.filter ?? {}) };
    checkRange('minRating', filter.minRating, RATING_FILTER);
    checkRange('maxRating', filter.maxRating, RATING_FILTER);
    checkRange('minBleu', filter.minBleu, BLEU_FILTER);
    checkRange('maxBleu', filter.maxBleu, BLEU_FILTER);
    if (filter.search !== undefined && filter.search !== null) {
      filter.search = filter.search.trim() || null;
      if (filter.search && filter.search.length > 200)
        throw badInput('filter.search is limited to 200 characters.', 'filter.search');
    }
    const page = await ctx.services.db.images.list({
      first,
      after: args.after ?? null,
      filter,
      sort: args.sort ?? 'newest',
    });
    for (const { image } of page.items) {
      ctx.loaders.imageById.prime(image.id, image);
      // Unscoped pages already carry the image's aggregates: spare Image.meanRating/bestBleu a query.
      if (!filter.modelId) {
        ctx.loaders.imageStatsById.prime(image.id, {
          meanRating: image.meanRating,
          ratingCount: image.ratingCount,
          bestBleu: image.bestBleu,
        });
      }
    }
    return {
      edges: page.items.map((item) => ({ cursor: item.cursor, node: item.image })),
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor },
      filter,
    };
  },

  image: (_, args, ctx) => orNull(() => ctx.loaders.imageById.load(args.id)),
  caption: (_, args, ctx) => orNull(() => ctx.loaders.captionById.load(args.id)),
  models: (_, __, ctx) => ctx.services.db.models.list(),
  model: (_, args, ctx) => orNull(() => ctx.loaders.modelById.load(args.id)),
  leaderboard: () => ({}),
  metricHumanAgreement: (_, __, ctx) => readHumanAgreement(ctx.services.config.humanAgreementFile),

  evaluationRuns(_, args, ctx) {
    const first = args.first ?? 50;
    if (!Number.isInteger(first) || first < 1 || first > maxPage)
      throw badInput(`first must be 1..${maxPage}; got ${first}.`, 'first');
    return ctx.services.db.evaluationRuns.list({
      modelId: args.modelId ?? undefined,
      split: args.split ?? undefined,
      first,
    });
  },
  evaluationRun: (_, args, ctx) => orNull(() => ctx.services.db.evaluationRuns.getById(args.id)),

  async evaluationRunComparison(_, args, ctx) {
    const first = args.first ?? 10;
    if (!Number.isInteger(first) || first < 0 || first > maxPage)
      throw badInput(`first must be 0..${maxPage}; got ${first}.`, 'first');
    const { evaluationRuns } = ctx.services.db;
    const [runA, runB] = await Promise.all([
      orNull(() => evaluationRuns.getById(args.runA)),
      orNull(() => evaluationRuns.getById(args.runB)),
    ]);
    if (!runA || !runB) return null;
    return { runA, runB, ...(await evaluationRuns.compareCaptions(runA.id, runB.id, first)) };
  },

  datasets: (_, __, ctx) => ctx.services.db.images.datasets(),

  async nextComparison(_, args, ctx) {
    if (!ctx.voterId) return null;
    const pick = await ctx.services.db.preferences.nextComparison({
      voterId: ctx.voterId,
      split: args.split ?? undefined,
    });
    if (!pick) return null;
    const [image, captionA, captionB] = await Promise.all([
      ctx.loaders.imageById.load(pick.imageId),
      ctx.loaders.captionById.load(pick.captionAId),
      ctx.loaders.captionById.load(pick.captionBId),
    ]);
    return image && captionA && captionB ? { image, captionA, captionB } : null;
  },

  // A job of another API process is known from its live-progress events (live/progress-bus.ts).
  importJob: (_, args, ctx) => ctx.services.imports.get(args.id),
  status: () => ({}),
});

export const ImageConnection = objectResolvers('ImageConnection')({
  totalCount: (parent, _, ctx) => ctx.services.db.images.count(parent.filter),
});

export const ServiceStatus = objectResolvers('ServiceStatus')({
  models: (_, __, ctx) => ctx.services.db.models.list(),
  captionQueue: async (_, __, ctx) => {
    const caption = (await ctx.services.jobs.counts()).find((q) => q.queue === 'caption');
    return {
      pending: (caption?.queued ?? 0) + (caption?.retrying ?? 0),
      running: caption?.active ?? 0,
      concurrency: ctx.services.config.worker === 'inline' ? ctx.services.config.captionConcurrency : 0,
    };
  },
  jobQueues: (_, __, ctx) => ctx.services.jobs.counts(),
  deadJobs: async (_, args, ctx) => {
    const first = args.first ?? 20;
    if (!Number.isInteger(first) || first < 1 || first > 200) throw badInput('first must be from 1 to 200.', 'first');
    const dead = await ctx.services.jobs.deadJobs(first);
    return dead.map((job) => ({ ...job, data: JSON.stringify(job.data) }));
  },
});
