// One gallery tile: the thumbnail and each model's caption, linking to the image page.
import Link from 'next/link';
import { byVariant, formatStars, splitLabel } from '@/lib/format';
import type { GalleryImage } from '@/lib/fragments';
import { CaptionLines } from './caption-lines';
import { thumbnailSize } from './thumbnail-size';

export function ImageCard({ image, eager = false }: { image: GalleryImage; eager?: boolean }) {
  const captions = byVariant(image.captions);
  const alt = captions[0]?.text ?? image.filename ?? 'Image awaiting its caption';
  const size = thumbnailSize(image.width, image.height);
  return (
    <li className="image-card">
      <Link href={`/images/${image.id}`} className="image-card-link">
        <div className="image-card-frame">
          <img
            src={image.thumbnailUrl}
            alt={alt}
            width={size.width}
            height={size.height}
            loading={eager ? 'eager' : 'lazy'}
            decoding="async"
          />
          <span className="image-card-split">{splitLabel(image.split)}</span>
        </div>
        <div className="image-card-body">
          {captions.length === 0 ? (
            <p className="muted caption-line">{image.captioningPending ? 'Captioning…' : 'No captions yet'}</p>
          ) : (
            <CaptionLines captions={captions} />
          )}
          {image.meanRating !== null && (
            <p className="image-card-rating">
              <span aria-hidden="true">★</span> {formatStars(image.meanRating)}
              <span className="visually-hidden"> mean stars</span>
            </p>
          )}
        </div>
      </Link>
    </li>
  );
}
