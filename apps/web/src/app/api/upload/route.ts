// POST /api/upload (multipart `file` fields) forwarded to the API's POST /upload. The page at /upload owns
// that path on the web, so src/proxy.ts rewrites a POST /upload here too.
import type { NextRequest } from 'next/server';
import { forwardToApi } from '@/lib/forward-to-api';

export function POST(request: NextRequest) {
  return forwardToApi(request, '/upload');
}
