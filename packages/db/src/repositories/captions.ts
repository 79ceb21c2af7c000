// Generated captions: one per image + model + decode settings (the cache key for inference).
import { isUuid, sql, type DbContext } from '../context.js';
import { decodeSettingsKey } from '../decode-settings.js';
import { InvalidInputError, NotFoundError } from '../errors.js';
import type { CaptionDetails, CaptionRecord, CaptionSummary, DecodeSettings, NewCaption } from '../types.js';

// Summary columns leave out n_best and attention: those JSON columns are large (an attention grid per word)
// and most reads never show them.
const CAPTION_SUMMARY_COLUMNS = `c.id, c.image_id AS "imageId", c.model_id AS "modelId", c.settings_key AS "settingsKey",
  c.settings, c.text, c.tokens, c.token_ids AS "tokenIds", c.log_prob AS "logProb",
  c.sentence_bleu AS "sentenceBleu", c.latency_ms AS "latencyMs", c.created_at AS "createdAt"`;
const CAPTION_DETAIL_COLUMNS = `c.n_best AS "nBest", c.attention`;
export const CAPTION_COLUMNS = `${CAPTION_SUMMARY_COLUMNS}, ${CAPTION_DETAIL_COLUMNS}`;

function checkNumber(name: string, value: number | null | undefined, optional = false): void {
  if (optional && (value === null || value === undefined)) return;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new InvalidInputError(`Caption ${name} must be a finite number (got ${String(value)}).`);
  }
}

export function captionsRepository(ctx: DbContext) {
  async function listByImages(imageIds: readonly string[]): Promise<CaptionRecord[]> {
    const valid = imageIds.filter(isUuid);
    if (valid.length === 0) return [];
    return sql<CaptionRecord>(
      ctx,
      `SELECT ${CAPTION_COLUMNS} FROM captions c WHERE c.image_id = ANY($1::uuid[])
       ORDER BY c.image_id, c.created_at DESC, c.id`,
      [valid],
    );
  }

  async function listSummariesByImages(imageIds: readonly string[]): Promise<CaptionSummary[]> {
    const valid = imageIds.filter(isUuid);
    if (valid.length === 0) return [];
    return sql<CaptionSummary>(
      ctx,
      `SELECT ${CAPTION_SUMMARY_COLUMNS} FROM captions c WHERE c.image_id = ANY($1::uuid[])
       ORDER BY c.image_id, c.created_at DESC, c.id`,
      [valid],
    );
  }

  return {
    /** Stores the caption, replacing the one of the same image + model + settings if there is one. */
    async save(input: NewCaption): Promise<CaptionRecord> {
      if (!isUuid(input.imageId)) throw new NotFoundError('image', input.imageId);
      checkNumber('logProb', input.logProb);
      checkNumber('latencyMs', input.latencyMs);
      checkNumber('sentenceBleu', input.sentenceBleu, true);
      if (!Array.isArray(input.tokens) || !Array.isArray(input.tokenIds)) {
        throw new InvalidInputError('Caption tokens and tokenIds must be arrays.');
      }
      const settingsKey = decodeSettingsKey(input.settings);
      const [row] = await sql<CaptionRecord>(
        ctx,
        `INSERT INTO captions AS c (image_id, model_id, settings_key, settings, text, tokens, token_ids, log_prob,
           n_best, attention, sentence_bleu, latency_ms)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
         ON CONFLICT (image_id, model_id, settings_key) DO UPDATE SET settings = excluded.settings,
           text = excluded.text, tokens = excluded.tokens, token_ids = excluded.token_ids,
           log_prob = excluded.log_prob, n_best = excluded.n_best, attention = excluded.attention,
           sentence_bleu = excluded.sentence_bleu, latency_ms = excluded.latency_ms, created_at = now()
         RETURNING ${CAPTION_COLUMNS}`,
        [
          input.imageId,
          input.modelId,
          settingsKey,
          JSON.stringify(input.settings),
          input.text,
          input.tokens,
          input.tokenIds,
          input.logProb,
          JSON.stringify(input.nBest ?? []),
          input.attention === null || input.attention === undefined ? null : JSON.stringify(input.attention),
          input.sentenceBleu ?? null,
          input.latencyMs,
        ],
      );
      return row as CaptionRecord;
    },

    /** The stored caption for exactly these settings, if any: look here before running a model. */
    async find(options: { imageId: string; modelId: string; settings: DecodeSettings }): Promise<CaptionRecord | null> {
      if (!isUuid(options.imageId)) return null;
      const [row] = await sql<CaptionRecord>(
        ctx,
        `SELECT ${CAPTION_COLUMNS} FROM captions c WHERE c.image_id = $1 AND c.model_id = $2 AND c.settings_key = $3`,
        [options.imageId, options.modelId, decodeSettingsKey(options.settings)],
      );
      return row ?? null;
    },

    /** The stored captions of one model + settings for many images, by image id (evaluation runs). */
    async findForImages(options: {
      modelId: string;
      settings: DecodeSettings;
      imageIds: readonly string[];
    }): Promise<Map<string, CaptionRecord>> {
      const valid = options.imageIds.filter(isUuid);
      if (valid.length === 0) return new Map();
      const rows = await sql<CaptionRecord>(
        ctx,
        `SELECT ${CAPTION_COLUMNS} FROM captions c
         WHERE c.image_id = ANY($1::uuid[]) AND c.model_id = $2 AND c.settings_key = $3`,
        [valid, options.modelId, decodeSettingsKey(options.settings)],
      );
      return new Map(rows.map((row) => [row.imageId, row]));
    },

    async getById(id: string): Promise<CaptionRecord | null> {
      if (!isUuid(id)) return null;
      const [row] = await sql<CaptionRecord>(ctx, `SELECT ${CAPTION_COLUMNS} FROM captions c WHERE c.id = $1`, [id]);
      return row ?? null;
    },

    async getByIds(ids: readonly string[]): Promise<CaptionRecord[]> {
      const valid = ids.filter(isUuid);
      if (valid.length === 0) return [];
      return sql<CaptionRecord>(ctx, `SELECT ${CAPTION_COLUMNS} FROM captions c WHERE c.id = ANY($1::uuid[])`, [valid]);
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
      return sql<CaptionDetails>(
        ctx,
        `SELECT c.id, ${CAPTION_DETAIL_COLUMNS} FROM captions c WHERE c.id = ANY($1::uuid[])`,
        [valid],
      );
    },

    /** Sets (or clears) the sentence BLEU, e.g. after references were added to an image. */
    async setSentenceBleu(captionId: string, sentenceBleu: number | null): Promise<CaptionRecord> {
      checkNumber('sentenceBleu', sentenceBleu, true);
      if (!isUuid(captionId)) throw new NotFoundError('caption', captionId);
      const [row] = await sql<CaptionRecord>(
        ctx,
        `UPDATE captions c SET sentence_bleu = $2 WHERE c.id = $1 RETURNING ${CAPTION_COLUMNS}`,
        [captionId, sentenceBleu],
      );
      if (!row) throw new NotFoundError('caption', captionId);
      return row;
    },
  };
}

export type CaptionsRepository = ReturnType<typeof captionsRepository>;
