// The API's thumbnails are at most 384 px on the longer side; knowing their exact size lets the <img> carry
// width/height so the grid never shifts while images load.
const THUMBNAIL_MAX = 384;

export function thumbnailSize(width: number, height: number): { width: number; height: number } {
  const scale = Math.min(1, THUMBNAIL_MAX / Math.max(width, height, 1));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}
