// GraphQL subscriptions from the browser: one graphql-ws socket to the web origin's /graphql (server.mjs relays it
// to the API with the voter cookie as x-voter-session). Components subscribe for live progress and fall back to
// polling when `failed` is called: the socket could not open, closed for good, or the API refused the operation.
import { createClient, type Client } from 'graphql-ws';
import type { TypedDocumentString } from '@/generated/graphql';
import { ApiError, type GraphQLErrorShape } from './graphql-error';

let client: Client | null = null;

function liveClient(): Client {
  client ??= createClient({
    url: `${window.location.protocol === 'https:' ? 'wss' : 'ws'}://${window.location.host}/graphql`,
    lazy: true,
    // A few quick retries; after that the caller polls instead.
    retryAttempts: 3,
    lazyCloseTimeout: 2_000,
  });
  return client;
}

export interface LiveHandlers<TResult> {
  next(data: TResult): void;
  /** The socket or the subscription failed: poll instead. */
  failed(error: Error): void;
  /** The server ended the stream (e.g. the run finished). */
  complete?(): void;
}

/** Starts a subscription; returns the function that stops it. */
export function subscribeLive<TResult, TVariables>(
  document: TypedDocumentString<TResult, TVariables>,
  variables: TVariables,
  handlers: LiveHandlers<TResult>,
): () => void {
  let stopped = false;
  const fail = (error: Error) => {
    if (stopped) return;
    stopped = true;
    handlers.failed(error);
  };
  let unsubscribe: () => void = () => undefined;
  try {
    unsubscribe = liveClient().subscribe<TResult>(
      { query: document.toString(), variables: (variables ?? {}) as Record<string, unknown> },
      {
        next(result) {
          if (stopped) return;
          const first = (result.errors as GraphQLErrorShape[] | undefined)?.[0];
          if (first) return fail(new ApiError(first.message, first.extensions?.code));
          if (result.data) handlers.next(result.data as TResult);
        },
        error(error) {
          if (Array.isArray(error)) {
            const first = error[0] as GraphQLErrorShape | undefined;
            return fail(new ApiError(first?.message ?? 'The subscription was refused.', first?.extensions?.code));
          }
          fail(error instanceof Error ? error : new ApiError('The live connection closed.', 'NETWORK'));
        },
        complete() {
          if (!stopped) handlers.complete?.();
        },
      },
    );
  } catch (error) {
    fail(error as Error);
  }
  return () => {
    stopped = true;
    unsubscribe();
  };
}
