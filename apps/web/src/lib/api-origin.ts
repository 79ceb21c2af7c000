// The API's origin, read once from the environment at the server boundary. Only server code imports this.
const DEFAULT_API_URL = 'http://127.0.0.1:4000';

function readApiOrigin(): string {
  const raw = process.env.CAPTIONER_API_URL?.trim() || DEFAULT_API_URL;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(
      `CAPTIONER_API_URL is not a valid URL: "${raw}". Set it to the API's origin, e.g. http://127.0.0.1:4000.`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`CAPTIONER_API_URL must be http(s), got "${raw}".`);
  }
  return url.origin;
}

export const apiOrigin = readApiOrigin();
