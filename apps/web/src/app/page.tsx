// Gallery: every image with both models' captions, filtered, searched and sorted from the URL.
import { GalleryFilters } from '@/components/gallery-filters';
import { GalleryGrid } from '@/components/gallery-grid';
import { ServiceError } from '@/components/service-error';
import { GALLERY_PAGE_QUERY, galleryParamsToSearch, galleryVariables, parseGalleryParams } from '@/lib/gallery-query';
import type { GalleryPageQuery } from '@/generated/graphql';
import { serverQuery } from '@/lib/server-graphql';

export default async function GalleryPage({ searchParams }: PageProps<'/'>) {
  const params = parseGalleryParams(await searchParams);
  let data: GalleryPageQuery;
  try {
    data = await serverQuery(GALLERY_PAGE_QUERY, galleryVariables(params));
  } catch (error) {
    return <ServiceError error={error} />;
  }
  const total = data.images.totalCount;
  const count = total === 1 ? '1 image' : `${total.toLocaleString('en')} images`;
  const filtered = galleryParamsToSearch({ ...params, sort: 'NEWEST' }) !== '';
  return (
    <>
      <div className="page-heading">
        <h1>Gallery</h1>
        <p className="muted">
          {filtered
            ? `${count} match${total === 1 ? 'es' : ''} this view.`
            : `${count}, each captioned by both models. Open one to see where the attention model looks.`}
        </p>
      </div>
      <GalleryFilters params={params} models={data.models} />
      {total === 0 ? (
        <section className="empty-state">
          <h2>No images match</h2>
          <p>Try fewer filters or another search, or add your own images on the Upload page.</p>
        </section>
      ) : (
        <GalleryGrid key={galleryParamsToSearch(params)} params={params} initial={data.images} />
      )}
    </>
  );
}
