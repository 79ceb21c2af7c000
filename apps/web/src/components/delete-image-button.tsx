'use client';
// "Delete this photo" for its uploader (Image.uploadedByMe): asks once, deletes through deleteImage (permanent:
// captions, ratings and votes go with it), then returns to the gallery.
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { graphql } from '@/generated';
import { clientQuery } from '@/lib/client-graphql';

const DELETE_IMAGE = graphql(`
  mutation DeleteImage($id: ID!) {
    deleteImage(id: $id) {
      deletedImageId
    }
  }
`);

export function DeleteImageButton({ imageId }: { imageId: string }) {
  const router = useRouter();
  const [state, setState] = useState<'idle' | 'confirm' | 'deleting'>('idle');
  const [error, setError] = useState<string | null>(null);

  const remove = async () => {
    setState('deleting');
    setError(null);
    try {
      await clientQuery(DELETE_IMAGE, { id: imageId });
      router.push('/');
      router.refresh();
    } catch (e) {
      setError((e as Error).message);
      setState('idle');
    }
  };

  return (
    <section className="delete-image" aria-label="Delete your upload">
      {state === 'idle' && (
        <button type="button" className="button button-quiet" onClick={() => setState('confirm')}>
          Delete this photo
        </button>
      )}
      {state !== 'idle' && (
        <p>
          Delete it for good, with its captions, ratings and votes?{' '}
          <button type="button" className="button" disabled={state === 'deleting'} onClick={remove}>
            {state === 'deleting' ? 'Deleting…' : 'Yes, delete'}
          </button>{' '}
          <button type="button" className="button button-quiet" onClick={() => setState('idle')}>
            Keep it
          </button>
        </p>
      )}
      {error && <p role="alert">{error}</p>}
    </section>
  );
}
