// Shown instantly while an image page loads (and the cheap part link prefetching fetches).
export default function Loading() {
  return (
    <div className="image-layout" aria-busy="true" aria-label="Loading the image">
      <div className="skeleton skeleton-image" />
      <div className="skeleton-stack">
        <div className="skeleton skeleton-line" />
        <div className="skeleton skeleton-line short" />
        <div className="skeleton skeleton-panel" />
      </div>
    </div>
  );
}
