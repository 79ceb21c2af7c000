// Inline message for when the API could not answer, with what to do about it.
import { ApiError } from '@/lib/graphql-error';

export function ServiceError({ error }: { error: unknown }) {
  const message = error instanceof Error ? error.message : String(error);
  const unreachable = error instanceof ApiError && error.code === 'API_UNREACHABLE';
  const title = unreachable ? 'The caption service did not answer' : 'This page could not be loaded';
  return (
    <section className="empty-state" role="alert">
      <h1>{title}</h1>
      <p>{message}</p>
      <p className="muted">
        {unreachable ? 'Reload the page once the API is running.' : 'Check the address, or go back to the gallery.'}
      </p>
    </section>
  );
}
