'use client';
// Upload: drop or pick several images; each is sent with a progress bar (two at a time), then polled until both
// models have captioned it. Rejected files say why.
import { useCallback, useEffect, useRef, useState } from 'react';
import { clientQuery } from '@/lib/client-graphql';
import { uploadFile } from '@/lib/upload-file';
import type { CaptionSummary } from '@/lib/types';
import { UploadItem, type UploadEntry } from './upload-item';

const PARALLEL_UPLOADS = 2;
const POLL_MS = 1200;

function captionsQuery(ids: string[]): string {
  const fields = ids
    .map(
      (id, index) =>
        `i${index}: image(id: ${JSON.stringify(id)}) { id captioningPending captions { id text sentenceBleu model { id variant } } }`,
    )
    .join('\n');
  return `query UploadedCaptions {\nmodels { id loaded }\n${fields}\n}`;
}

type PolledImage = { id: string; captioningPending: boolean; captions: CaptionSummary[] } | null;
type Polled = { models: { id: string; loaded: boolean }[] } & Record<string, PolledImage>;

// "Not pending" can be read a moment before the last caption is visible, so an image counts as finished when
// every loaded model has captioned it, or when it has stayed idle for this many polls (a model failed).
const IDLE_POLLS_TO_FINISH = 3;

export function Uploader() {
  const [entries, setEntries] = useState<UploadEntry[]>([]);
  const [dragging, setDragging] = useState(false);
  const files = useRef(new Map<string, File>());
  const active = useRef(0);
  const started = useRef(new Set<string>());
  const input = useRef<HTMLInputElement>(null);

  const patch = useCallback((key: string, change: Partial<UploadEntry>) => {
    setEntries((list) => list.map((entry) => (entry.key === key ? { ...entry, ...change } : entry)));
  }, []);

  // Start queued uploads while fewer than PARALLEL_UPLOADS are in flight.
  useEffect(() => {
    const queued = entries.filter((entry) => entry.status === 'queued' && !started.current.has(entry.key));
    for (const entry of queued.slice(0, Math.max(0, PARALLEL_UPLOADS - active.current))) {
      const file = files.current.get(entry.key);
      if (!file) continue;
      started.current.add(entry.key);
      active.current += 1;
      patch(entry.key, { status: 'uploading', progress: 0 });
      void uploadFile(file, (progress) => patch(entry.key, { progress })).then((outcome) => {
        active.current -= 1;
        files.current.delete(entry.key);
        if (outcome.error || !outcome.imageId) {
          patch(entry.key, {
            status: 'rejected',
            error: outcome.error?.message ?? 'The service did not store this file.',
          });
        } else {
          patch(entry.key, { status: 'captioning', imageId: outcome.imageId, created: outcome.created, progress: 1 });
        }
      });
    }
  }, [entries, patch]);

  // Poll every image still being captioned, all in one request.
  const waiting = entries
    .filter((entry) => entry.status === 'captioning' && entry.imageId)
    .map((entry) => entry.imageId as string);
  const waitingKey = waiting.join(',');
  useEffect(() => {
    if (!waitingKey) return;
    const ids = waitingKey.split(',');
    let stopped = false;
    const timer = setInterval(async () => {
      try {
        const data = await clientQuery<Polled>(captionsQuery(ids));
        if (stopped) return;
        const loaded = new Set(data.models.filter((model) => model.loaded).map((model) => model.id));
        const images = Object.values(data).filter(
          (value): value is NonNullable<PolledImage> => !Array.isArray(value) && value !== null,
        );
        setEntries((list) =>
          list.map((entry) => {
            if (entry.status !== 'captioning') return entry;
            const image = images.find((found) => found.id === entry.imageId);
            if (!image) return entry;
            const captioned = new Set(image.captions.map((caption) => caption.model.id));
            const complete = [...loaded].every((id) => captioned.has(id));
            const idlePolls = image.captioningPending ? 0 : entry.idlePolls + 1;
            const finished = complete || idlePolls >= IDLE_POLLS_TO_FINISH;
            return { ...entry, captions: image.captions, idlePolls, status: finished ? 'done' : 'captioning' };
          }),
        );
      } catch {
        // A missed poll is retried on the next tick.
      }
    }, POLL_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [waitingKey]);

  function add(list: FileList | null) {
    if (!list || list.length === 0) return;
    const added: UploadEntry[] = [];
    for (const file of Array.from(list)) {
      const key = `${Date.now()}-${Math.random().toString(36).slice(2)}`;
      const looksLikeImage = file.type.startsWith('image/') || file.type === '';
      files.current.set(key, file);
      added.push({
        key,
        name: file.name,
        size: file.size,
        previewUrl: looksLikeImage ? URL.createObjectURL(file) : null,
        status: 'queued',
        progress: 0,
        imageId: null,
        created: false,
        error: null,
        captions: [],
        idlePolls: 0,
      });
    }
    setEntries((previous) => [...added, ...previous]);
  }

  return (
    <div className="uploader">
      <div
        className="drop-zone"
        data-dragging={dragging}
        onDragOver={(event) => {
          event.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={(event) => {
          event.preventDefault();
          setDragging(false);
          add(event.dataTransfer.files);
        }}
      >
        <p className="drop-zone-title">Drop images here</p>
        <p className="muted">JPEG, PNG, WebP, GIF, TIFF or AVIF — as many as you like. Both models caption each one.</p>
        <button type="button" className="button" onClick={() => input.current?.click()}>
          Choose images…
        </button>
        <input
          ref={input}
          type="file"
          multiple
          accept="image/*"
          className="visually-hidden"
          aria-label="Choose images to upload"
          onChange={(event) => {
            add(event.target.files);
            event.target.value = '';
          }}
        />
      </div>
      {entries.length > 0 && (
        <ul className="upload-list" aria-label="Uploads" aria-live="polite">
          {entries.map((entry) => (
            <UploadItem key={entry.key} entry={entry} />
          ))}
        </ul>
      )}
    </div>
  );
}
