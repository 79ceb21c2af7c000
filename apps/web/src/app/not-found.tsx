// 404 for unknown pages and unknown image ids.
import Link from 'next/link';

export default function NotFound() {
  return (
    <section className="empty-state">
      <h1>Not found</h1>
      <p>There is nothing here. The image may have been removed, or the link is mistyped.</p>
      <Link className="button" href="/">
        Back to the gallery
      </Link>
    </section>
  );
}
