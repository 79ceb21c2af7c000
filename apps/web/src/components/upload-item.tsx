// One file in the upload list: its preview, where it is (uploading, captioning, done, rejected) and its captions.
import Link from 'next/link';
import { byVariant } from '@/lib/format';
import type { UploadEntry } from '@/lib/upload-state';
import { CaptionLines } from './caption-lines';

function describe(entry: UploadEntry): string {
  switch (entry.status) {
    case 'queued':
      return 'Waiting…';
    case 'uploading':
      return `Uploading… ${Math.round(entry.progress * 100)}%`;
    case 'captioning':
      return entry.created
        ? 'Uploaded. Captioning with both models…'
        : 'Already in the gallery. Fetching its captions…';
    case 'done':
      return entry.captions.length
        ? entry.created
          ? 'Captioned'
          : 'Already in the gallery'
        : 'Stored, but no model could caption it (see the API’s /health).';
    case 'rejected':
      return entry.error ?? 'Rejected';
  }
}

export function UploadItem({ entry }: { entry: UploadEntry }) {
  const captions = byVariant(entry.captions);
  return (
    <li className="upload-item" data-status={entry.status}>
      <div className="upload-preview">
        {entry.previewUrl && entry.status !== 'rejected' ? (
          <img src={entry.previewUrl} alt={captions[0]?.text ?? ''} width={96} height={96} />
        ) : (
          <span className="upload-preview-none" aria-hidden="true">
            {entry.status === 'rejected' ? '!' : ''}
          </span>
        )}
      </div>
      <div className="upload-body">
        <p className="upload-name">
          {entry.name} <span className="muted small">{(entry.size / 1024).toFixed(0)} KB</span>
        </p>
        <p
          className={entry.status === 'rejected' ? 'error-text' : 'muted small'}
          role={entry.status === 'rejected' ? 'alert' : undefined}
        >
          {describe(entry)}
        </p>
        {entry.status === 'uploading' && (
          <progress max={1} value={entry.progress} aria-label={`Uploading ${entry.name}`} />
        )}
        {entry.status === 'captioning' && <progress aria-label={`Captioning ${entry.name}`} />}
        {captions.length > 0 && <CaptionLines captions={captions} />}
        {entry.imageId && entry.status === 'done' && (
          <Link href={`/images/${entry.imageId}`} className="text-link">
            See attention and rate →
          </Link>
        )}
      </div>
    </li>
  );
}
