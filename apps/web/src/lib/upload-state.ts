// The uploader's state, as a pure reducer: which files wait, upload, get captioned, are done or were refused.
// The component (components/uploader.tsx) only performs the effects (XHR uploads, live events, polling) and dispatches
// what happened, so every transition here is unit-tested without a browser.
import type { CaptionSummary } from './fragments';
import type { UploadOutcome } from './upload-file';

export interface UploadEntry {
  key: string;
  name: string;
  size: number;
  previewUrl: string | null;
  status: 'queued' | 'uploading' | 'captioning' | 'done' | 'rejected';
  progress: number;
  imageId: string | null;
  created: boolean;
  error: string | null;
  captions: CaptionSummary[];
  /** Polls in a row that found no captioning work left for this image. */
  idlePolls: number;
  /** Models that reported they could not caption this image (live events); they count as answered. */
  failedModelIds: string[];
}

/** Files uploaded at once; the rest wait. */
export const PARALLEL_UPLOADS = 2;
// "Not pending" can be read a moment before the last caption is visible, so an image counts as finished when
// every loaded model has captioned it, or when it has stayed idle for this many polls (a model failed).
export const IDLE_POLLS_TO_FINISH = 3;

/** One image as a poll saw it. */
export interface PolledImage {
  id: string;
  captioningPending: boolean;
  captions: CaptionSummary[];
}

export type UploadAction =
  | { type: 'added'; files: { key: string; name: string; size: number; previewUrl: string | null }[] }
  | { type: 'started'; key: string }
  | { type: 'progress'; key: string; progress: number }
  | { type: 'uploaded'; key: string; outcome: UploadOutcome }
  | { type: 'polled'; loadedModelIds: readonly string[]; images: readonly PolledImage[] }
  /** A live event: a model stored a caption of this image (the image as stored now), or failed (`failedModelId`). */
  | { type: 'captioned'; loadedModelIds: readonly string[]; image: PolledImage; failedModelId: string | null };

export function uploadReducer(entries: UploadEntry[], action: UploadAction): UploadEntry[] {
  const patch = (key: string, change: Partial<UploadEntry>) =>
    entries.map((entry) => (entry.key === key ? { ...entry, ...change } : entry));
  switch (action.type) {
    case 'added':
      // Newest first.
      return [
        ...action.files.map((file): UploadEntry => ({
          ...file,
          status: 'queued',
          progress: 0,
          imageId: null,
          created: false,
          error: null,
          captions: [],
          idlePolls: 0,
          failedModelIds: [],
        })),
        ...entries,
      ];
    case 'started':
      return patch(action.key, { status: 'uploading', progress: 0 });
    case 'progress':
      return patch(action.key, { progress: action.progress });
    case 'uploaded': {
      const { outcome } = action;
      if (outcome.error || !outcome.imageId) {
        return patch(action.key, {
          status: 'rejected',
          error: outcome.error?.message ?? 'The service did not store this file.',
        });
      }
      return patch(action.key, {
        status: 'captioning',
        imageId: outcome.imageId,
        created: outcome.created,
        progress: 1,
      });
    }
    case 'polled':
      return entries.map((entry) => polled(entry, action.loadedModelIds, action.images));
    case 'captioned':
      return entries.map((entry) => {
        if (entry.status !== 'captioning' || entry.imageId !== action.image.id) return entry;
        const failedModelIds = action.failedModelId
          ? [...new Set([...entry.failedModelIds, action.failedModelId])]
          : entry.failedModelIds;
        const next = { ...entry, captions: action.image.captions, failedModelIds };
        return answered(next, action.loadedModelIds) ? { ...next, status: 'done' } : next;
      });
  }
}

/** Every loaded model has captioned the image or said it cannot. */
function answered(entry: UploadEntry, loadedModelIds: readonly string[]): boolean {
  const captioned = new Set(entry.captions.map((caption) => caption.model.id));
  return loadedModelIds.every((id) => captioned.has(id) || entry.failedModelIds.includes(id));
}

function polled(entry: UploadEntry, loadedModelIds: readonly string[], images: readonly PolledImage[]): UploadEntry {
  if (entry.status !== 'captioning') return entry;
  const image = images.find((found) => found.id === entry.imageId);
  if (!image) return entry;
  const complete = answered({ ...entry, captions: image.captions }, loadedModelIds);
  const idlePolls = image.captioningPending ? 0 : entry.idlePolls + 1;
  const finished = complete || idlePolls >= IDLE_POLLS_TO_FINISH;
  return { ...entry, captions: image.captions, idlePolls, status: finished ? 'done' : 'captioning' };
}

/** The queued entries to start now (in list order), given how many uploads are in flight. */
export function uploadsToStart(entries: readonly UploadEntry[], inFlight: number): UploadEntry[] {
  const queued = entries.filter((entry) => entry.status === 'queued');
  return queued.slice(0, Math.max(0, PARALLEL_UPLOADS - inFlight));
}

/** Image ids still being captioned, which the uploader watches (live events, else polling). */
export function imagesToPoll(entries: readonly UploadEntry[]): string[] {
  return entries.flatMap((entry) => (entry.status === 'captioning' && entry.imageId ? [entry.imageId] : []));
}
