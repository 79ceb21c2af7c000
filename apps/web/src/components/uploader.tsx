'use client';
// Upload: drop or pick several images; each is sent with a progress bar (two at a time), then its captions arrive
// live (the imageCaptioned subscription) until every model has answered; polling when the socket fails. Rejected
// files say why.
import { useEffect, useReducer, useRef, useState } from 'react';
import { graphql } from '@/generated';
import {
  TypedDocumentString,
  UploadedImageFieldsFragmentDoc,
  UploadPollModelsFragmentDoc,
  type UploadedImageFieldsFragment,
  type UploadPollModelsFragment,
} from '@/generated/graphql';
import { clientQuery } from '@/lib/client-graphql';
import { subscribeLive } from '@/lib/live-subscription';
import { uploadFile } from '@/lib/upload-file';
import { imagesToPoll, uploadReducer, uploadsToStart, type PolledImage } from '@/lib/upload-state';
import { UploadItem } from './upload-item';

const POLL_MS = 1200;
/** While live events arrive, a slow poll still repairs anything missed (events sent while the socket reconnected). */
const SAFETY_POLL_MS = 10_000;

graphql(`
  fragment UploadPollModels on Query {
    models {
      id
      loaded
    }
  }
`);

graphql(`
  fragment UploadedImageFields on Image {
    id
    captioningPending
    captions {
      ...CaptionSummaryFields
    }
  }
`);

const LIVE_CAPTIONS = graphql(`
  subscription UploadCaptions($ids: [ID!]!) {
    imageCaptioned(imageIds: $ids) {
      image {
        ...UploadedImageFields
      }
      model {
        id
      }
      error
    }
  }
`);

type Polled = UploadPollModelsFragment & Record<string, UploadedImageFieldsFragment | null>;

/** One query for every image still being captioned (aliases i0, i1, ...), so its length varies with the uploads. */
function captionsQuery(ids: string[]): TypedDocumentString<Polled, Record<string, never>> {
  const fields = ids
    .map((id, index) => `i${index}: image(id: ${JSON.stringify(id)}) { ...UploadedImageFields }`)
    .join('\n');
  return new TypedDocumentString(
    `query UploadedCaptions {\n...UploadPollModels\n${fields}\n}\n${UploadPollModelsFragmentDoc}${UploadedImageFieldsFragmentDoc}`,
  );
}

export function Uploader() {
  const [entries, dispatch] = useReducer(uploadReducer, []);
  const [dragging, setDragging] = useState(false);
  const files = useRef(new Map<string, File>());
  const active = useRef(0);
  const started = useRef(new Set<string>());
  const input = useRef<HTMLInputElement>(null);

  // Start queued uploads while fewer than PARALLEL_UPLOADS are in flight.
  useEffect(() => {
    const queued = entries.filter((entry) => !started.current.has(entry.key));
    for (const entry of uploadsToStart(queued, active.current)) {
      const file = files.current.get(entry.key);
      if (!file) continue;
      started.current.add(entry.key);
      active.current += 1;
      dispatch({ type: 'started', key: entry.key });
      void uploadFile(file, (progress) => dispatch({ type: 'progress', key: entry.key, progress })).then((outcome) => {
        active.current -= 1;
        files.current.delete(entry.key);
        dispatch({ type: 'uploaded', key: entry.key, outcome });
      });
    }
  }, [entries]);

  // Every image still being captioned: live events, with one poll first (captions made before the subscription
  // started) and a slow safety poll; after the socket failed, polling alone, all images in one request.
  const [live, setLive] = useState(true);
  const waitingKey = imagesToPoll(entries).join(',');
  useEffect(() => {
    if (!waitingKey) return;
    const ids = waitingKey.split(',');
    let stopped = false;
    let loadedModelIds: string[] | null = null;
    const poll = async () => {
      try {
        const data = await clientQuery(captionsQuery(ids));
        if (stopped) return;
        loadedModelIds = data.models.filter((model) => model.loaded).map((model) => model.id);
        const images = Object.values(data).filter(
          (value): value is PolledImage => !Array.isArray(value) && value !== null,
        );
        dispatch({ type: 'polled', loadedModelIds, images });
      } catch {
        // A missed poll is retried on the next tick.
      }
    };
    const unsubscribe = live
      ? subscribeLive(
          LIVE_CAPTIONS,
          { ids },
          {
            next: ({ imageCaptioned: event }) => {
              if (!loadedModelIds) return void poll(); // the first poll has not answered yet; it sees this too
              dispatch({
                type: 'captioned',
                loadedModelIds,
                image: event.image,
                failedModelId: event.error ? event.model.id : null,
              });
            },
            failed: () => {
              if (!stopped) setLive(false);
            },
          },
        )
      : () => undefined;
    void poll();
    const timer = setInterval(poll, live ? SAFETY_POLL_MS : POLL_MS);
    return () => {
      stopped = true;
      unsubscribe();
      clearInterval(timer);
    };
  }, [waitingKey, live]);

  function add(list: FileList | null) {
    if (!list || list.length === 0) return;
    const added = Array.from(list).map((file) => {
      const key = `${Date.now()}-${Math.random().toString(36).slice(2)}`;
      const looksLikeImage = file.type.startsWith('image/') || file.type === '';
      files.current.set(key, file);
      return { key, name: file.name, size: file.size, previewUrl: looksLikeImage ? URL.createObjectURL(file) : null };
    });
    dispatch({ type: 'added', files: added });
  }

  return (
    <div className="uploader" data-progress={live ? 'live' : 'polling'}>
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
