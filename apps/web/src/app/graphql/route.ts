// POST /graphql on the web origin, forwarded to the API.
import type { NextRequest } from 'next/server';
import { forwardToApi } from '@/lib/forward-to-api';

export function POST(request: NextRequest) {
  return forwardToApi(request, '/graphql');
}
