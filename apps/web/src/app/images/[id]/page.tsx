// Image page: the picture large with the live attention figure, both models' captions side by side with
// their scores and stars, the human reference captions, and a form to caption it again with other settings.
import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { AttentionFigure } from '@/components/attention-figure';
import { CaptionPanel } from '@/components/caption-panel';
import { DeleteImageButton } from '@/components/delete-image-button';
import { RecaptionForm } from '@/components/recaption-form';
import { RefreshWhilePending } from '@/components/refresh-while-pending';
import { ServiceError } from '@/components/service-error';
import { graphql } from '@/generated';
import type { ImagePageQuery } from '@/generated/graphql';
import { byVariant, splitLabel } from '@/lib/format';
import { serverQuery } from '@/lib/server-graphql';

const IMAGE_QUERY = graphql(`
  query ImagePage($id: ID!) {
    models {
      ...ModelChoiceFields
    }
    image(id: $id) {
      id
      uploadedByMe
      filename
      width
      height
      originalUrl
      thumbnailUrl
      source
      dataset
      split
      references
      captioningPending
      meanRating
      createdAt
      captions {
        ...CaptionDetailFields
      }
    }
  }
`);

async function loadImage(id: string): Promise<ImagePageQuery | Error> {
  try {
    return await serverQuery(IMAGE_QUERY, { id });
  } catch (error) {
    return error as Error;
  }
}

export async function generateMetadata({ params }: PageProps<'/images/[id]'>): Promise<Metadata> {
  const data = await loadImage((await params).id);
  const image = data instanceof Error ? null : data.image;
  if (!image) return { title: 'Image' };
  return { title: image.filename ?? byVariant(image.captions)[0]?.text ?? 'Image' };
}

export default async function ImagePage({ params }: PageProps<'/images/[id]'>) {
  const data = await loadImage((await params).id);
  if (data instanceof Error) {
    if ('code' in data && data.code === 'BAD_USER_INPUT') notFound();
    return <ServiceError error={data} />;
  }
  const { image } = data;
  if (!image) notFound();
  // "Pending" can turn false a moment before the last caption is readable, so also wait for every loaded model.
  const captionedBy = new Set(image.captions.map((caption) => caption.model.id));
  const waiting = image.captioningPending || data.models.some((model) => model.loaded && !captionedBy.has(model.id));

  const captions = byVariant(image.captions);
  const attentionCaption = captions.find((caption) => caption.attention !== null) ?? null;
  // Alt text is what a model saw; the heading names the picture itself.
  const alt = captions[0]?.text ?? image.filename ?? 'Image awaiting its caption';
  const title = image.filename ?? (image.source === 'UPLOAD' ? 'Uploaded image' : 'Untitled image');
  return (
    <article className="image-page">
      <RefreshWhilePending imageId={image.id} pending={waiting} />
      <nav className="breadcrumb" aria-label="Breadcrumb">
        <Link href="/">← Gallery</Link>
      </nav>
      <div className="image-layout">
        <AttentionFigure
          src={image.originalUrl}
          thumbnailSrc={image.thumbnailUrl}
          alt={alt}
          width={image.width}
          height={image.height}
          attention={attentionCaption?.attention ?? null}
        />
        <div className="image-side">
          <header className="image-header">
            <h1 className="image-title">{title}</h1>
            <p className="muted small">
              {[image.dataset, splitLabel(image.split), `${image.width} × ${image.height}`].filter(Boolean).join(' · ')}
            </p>
          </header>
          {waiting && (
            <p className="notice" role="status">
              Captioning in progress — this page updates by itself.
            </p>
          )}
          <section aria-label="Captions" className="caption-columns">
            {captions.map((caption) => (
              <CaptionPanel key={caption.id} caption={caption} />
            ))}
            {captions.length === 0 && !waiting && (
              <p className="muted">No captions yet. Are the models loaded? See the API’s /health.</p>
            )}
          </section>
          <RecaptionForm imageId={image.id} models={data.models} />
          {image.uploadedByMe && <DeleteImageButton imageId={image.id} />}
          <section className="references" aria-labelledby="references-heading">
            <h2 id="references-heading">Reference captions</h2>
            {image.references.length === 0 ? (
              <p className="muted">
                None — this image has no human captions, so there is no BLEU. Your stars are the only judge.
              </p>
            ) : (
              <ul>
                {image.references.map((reference, index) => (
                  <li key={index}>{reference}</li>
                ))}
              </ul>
            )}
          </section>
        </div>
      </div>
    </article>
  );
}
