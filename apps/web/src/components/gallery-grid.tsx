'use client';
// The gallery's tiles with infinite scroll: the server renders the first page, this fetches the next ones
// when the sentinel scrolls into view (or the button is pressed, for keyboards and slow scrollers).
import { useCallback, useEffect, useRef, useState } from 'react';
import { clientQuery } from '@/lib/client-graphql';
import type { GalleryImage } from '@/lib/fragments';
import { GALLERY_QUERY, galleryVariables, type GalleryParams, type ImageConnection } from '@/lib/gallery-query';
import { ImageCard } from './image-card';

interface Props {
  params: GalleryParams;
  initial: ImageConnection;
}

export function GalleryGrid({ params, initial }: Props) {
  const [images, setImages] = useState<GalleryImage[]>(initial.edges.map((edge) => edge.node));
  const [cursor, setCursor] = useState(initial.pageInfo.endCursor);
  const [hasMore, setHasMore] = useState(initial.pageInfo.hasNextPage);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const sentinel = useRef<HTMLDivElement>(null);
  const busy = useRef(false);

  const loadMore = useCallback(async () => {
    if (busy.current || !hasMore) return;
    busy.current = true;
    setLoading(true);
    setError(null);
    try {
      const data = await clientQuery(GALLERY_QUERY, galleryVariables(params, cursor));
      setImages((previous) => {
        const seen = new Set(previous.map((image) => image.id));
        return [...previous, ...data.images.edges.map((edge) => edge.node).filter((image) => !seen.has(image.id))];
      });
      setCursor(data.images.pageInfo.endCursor);
      setHasMore(data.images.pageInfo.hasNextPage);
    } catch (caught) {
      setError((caught as Error).message);
    } finally {
      busy.current = false;
      setLoading(false);
    }
  }, [cursor, hasMore, params]);

  useEffect(() => {
    const element = sentinel.current;
    if (!element || !hasMore || error) return;
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((entry) => entry.isIntersecting)) void loadMore();
      },
      { rootMargin: '800px 0px' },
    );
    observer.observe(element);
    return () => observer.disconnect();
  }, [hasMore, loadMore, error]);

  return (
    <>
      <ul className="gallery-grid" aria-label="Images">
        {images.map((image, index) => (
          <ImageCard key={image.id} image={image} eager={index < 8} />
        ))}
      </ul>
      <div ref={sentinel} className="gallery-footer" aria-live="polite">
        {error && (
          <p role="alert" className="error-text">
            Could not load more images: {error}
          </p>
        )}
        {hasMore ? (
          <button type="button" className="button button-quiet" onClick={() => void loadMore()} disabled={loading}>
            {loading ? 'Loading…' : error ? 'Try again' : 'Load more'}
          </button>
        ) : (
          images.length > 0 && <p className="muted">That’s all {images.length} images.</p>
        )}
      </div>
    </>
  );
}
