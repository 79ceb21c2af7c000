// Inline message for when the API could not answer, with what to do about it.
export function ServiceError({ error, title = 'The caption service did not answer' }: { error: unknown; title?: string }) {
  const message = error instanceof Error ? error.message : String(error);
  return (
    <section className="empty-state" role="alert">
      <h1>{title}</h1>
      <p>{message}</p>
      <p className="muted">Reload the page once the API is running.</p>
    </section>
  );
}
