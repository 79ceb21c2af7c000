'use client';
// Shown when a page could not load its data (most often: the API is not running).
export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <section className="empty-state" role="alert">
      <h1>Something went wrong</h1>
      <p>{error.message || 'The page could not be loaded.'}</p>
      <button type="button" className="button" onClick={reset}>
        Try again
      </button>
    </section>
  );
}
