// Generated captions: one per image + model + decode settings (the cache key for inference).
import { Prisma } from '../../generated/prisma/client.js';
import { CAPTION_DETAILS_SELECT, CAPTION_SELECT } from '../columns.js';
import { isUuid, run, type DbContext } from '../context.js';
import { decodeSettingsKey } from '../decode-settings.js';
import { captionSummariesOfImages, captionsOfImages } from '../sql/batch-loads.js';
import { InvalidInputError, NotFoundError } from '../errors.js';
import type { CaptionDetails, CaptionRecord, CaptionSummary, DecodeSettings, JsonValue, NewCaption } from '../types.js';

// The JSON columns are written only from the typed inputs below, so reading them back as those types is safe.
const toRecord = (row: Prisma.CaptionGetPayload<{ select: typeof CAPTION_SELECT }>) => row as CaptionRecord;
const toDetails = (row: Prisma.CaptionGetPayload<{ select: typeof CAPTION_DETAILS_SELECT }>) => row as CaptionDetails;

/** A JSON value to store; null is SQL NULL (Prisma's DbNull), not the JSON literal null. */
const nullableJson = (value: JsonValue | null | undefined) =>
  value === null || value === undefined ? Prisma.DbNull : (value as Prisma.InputJsonValue);

function checkNumber(name: string, value: number | null | undefined, optional = false): void {
  if (optional && (value === null || value === undefined)) return;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new InvalidInputError(`Caption ${name} must be a finite number (got ${String(value)}).`);
  }
}

export function captionsRepository(ctx: DbContext) {
  // The DataLoaders' batch reads, raw for speed (src/sql/batch-loads.ts).
  async function listByImages(imageIds: readonly string[]): Promise<CaptionRecord[]> {
    const valid = imageIds.filter(isUuid);
    return valid.length === 0 ? [] : captionsOfImages(ctx, valid);
  }

  async function listSummariesByImages(imageIds: readonly string[]): Promise<CaptionSummary[]> {
    const valid = imageIds.filter(isUuid);
    return valid.length === 0 ? [] : captionSummariesOfImages(ctx, valid);
  }

  return {
    /**
     * Stores the caption, replacing the one of the same image + model + settings if there is one (one
     * INSERT ... ON CONFLICT DO UPDATE: Prisma runs an upsert on a unique key natively).
     */
    async save(input: NewCaption): Promise<CaptionRecord> {
      if (!isUuid(input.imageId)) throw new NotFoundError('image', input.imageId);
      checkNumber('logProb', input.logProb);
      checkNumber('latencyMs', input.latencyMs);
      checkNumber('sentenceBleu', input.sentenceBleu, true);
      if (!Array.isArray(input.tokens) || !Array.isArray(input.tokenIds)) {
        throw new InvalidInputError('Caption tokens and tokenIds must be arrays.');
      }
      const { imageId, modelId } = input;
      const settingsKey = decodeSettingsKey(input.settings);
      const fields = {
        settings: input.settings,
        text: input.text,
        tokens: input.tokens,
        tokenIds: input.tokenIds,
        logProb: input.logProb,
        nBest: (input.nBest ?? []) as Prisma.InputJsonValue,
        attention: nullableJson(input.attention),
        sentenceBleu: input.sentenceBleu ?? null,
        latencyMs: input.latencyMs,
      };
      const row = await run(
        () =>
          ctx.prisma.caption.upsert({
            where: { imageId_modelId_settingsKey: { imageId, modelId, settingsKey } },
            create: { imageId, modelId, settingsKey, ...fields },
            // A replaced caption counts as new: it moves to the front of "newest first".
            update: { ...fields, createdAt: new Date() },
            select: CAPTION_SELECT,
          }),
        { image: imageId, model: modelId },
      );
      return toRecord(row);
    },

    /** The stored caption for exactly these settings, if any: look here before running a model. */
    async find(options: { imageId: string; modelId: string; settings: DecodeSettings }): Promise<CaptionRecord | null> {
      if (!isUuid(options.imageId)) return null;
      const { imageId, modelId } = options;
      const settingsKey = decodeSettingsKey(options.settings);
      const row = await run(() =>
        ctx.prisma.caption.findUnique({
          where: { imageId_modelId_settingsKey: { imageId, modelId, settingsKey } },
          select: CAPTION_SELECT,
        }),
      );
      return row ? toRecord(row) : null;
    },

    /** The stored captions of one model + settings for many images, by image id (evaluation runs). */
    async findForImages(options: {
      modelId: string;
      settings: DecodeSettings;
      imageIds: readonly string[];
    }): Promise<Map<string, CaptionRecord>> {
      const valid = options.imageIds.filter(isUuid);
      if (valid.length === 0) return new Map();
      const settingsKey = decodeSettingsKey(options.settings);
      const rows = await run(() =>
        ctx.prisma.caption.findMany({
          where: { imageId: { in: valid }, modelId: options.modelId, settingsKey },
          select: CAPTION_SELECT,
        }),
      );
      return new Map(rows.map((row) => [row.imageId, toRecord(row)]));
    },

    async getById(id: string): Promise<CaptionRecord | null> {
      if (!isUuid(id)) return null;
      const row = await run(() => ctx.prisma.caption.findUnique({ where: { id }, select: CAPTION_SELECT }));
      return row ? toRecord(row) : null;
    },

    async getByIds(ids: readonly string[]): Promise<CaptionRecord[]> {
      const valid = ids.filter(isUuid);
      if (valid.length === 0) return [];
      const rows = await run(() =>
        ctx.prisma.caption.findMany({ where: { id: { in: valid } }, select: CAPTION_SELECT }),
      );
      return rows.map(toRecord);
    },

    /** Newest first. */
    listByImage: (imageId: string): Promise<CaptionRecord[]> => listByImages([imageId]),

    /** Newest first within each image. */
    listByImages,

    /** Like listByImages, without the n-best lists and attention maps (see getDetailsByIds). */
    listSummariesByImages,

    /** The n-best lists and attention maps of these captions (unknown ids are left out). */
    async getDetailsByIds(ids: readonly string[]): Promise<CaptionDetails[]> {
      const valid = ids.filter(isUuid);
      if (valid.length === 0) return [];
      const rows = await run(() =>
        ctx.prisma.caption.findMany({ where: { id: { in: valid } }, select: CAPTION_DETAILS_SELECT }),
      );
      return rows.map(toDetails);
    },

    /** Sets (or clears) the sentence BLEU, e.g. after references were added to an image. */
    async setSentenceBleu(captionId: string, sentenceBleu: number | null): Promise<CaptionRecord> {
      checkNumber('sentenceBleu', sentenceBleu, true);
      if (!isUuid(captionId)) throw new NotFoundError('caption', captionId);
      const [row] = await run(() =>
        ctx.prisma.caption.updateManyAndReturn({
          where: { id: captionId },
          data: { sentenceBleu },
          select: CAPTION_SELECT,
        }),
      );
      if (!row) throw new NotFoundError('caption', captionId);
      return toRecord(row);
    },
  };
}

export type CaptionsRepository = ReturnType<typeof captionsRepository>;
