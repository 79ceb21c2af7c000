// GET /media/images/:id/{original,thumbnail} forwarded to the API, keeping its content type and cache headers.
import type { NextRequest } from 'next/server';
import { forwardToApi } from '@/lib/forward-to-api';

export async function GET(request: NextRequest, context: RouteContext<'/media/[...path]'>) {
  const { path } = await context.params;
  return forwardToApi(request, `/media/${path.map(encodeURIComponent).join('/')}`);
}
