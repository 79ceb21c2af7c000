// A push-fed async iterator for subscription resolvers. Not an async generator: a generator's return() waits
// until its pending `await` settles, so a client unsubscribing from a quiet stream would keep it open forever;
// here return() unsubscribes at once and ends any pending next().

export interface StreamSink<T> {
  push(value: T): void;
  /** Ends the stream after the values pushed so far. */
  end(): void;
  /** Ends the stream with this error (after the values pushed so far). */
  fail(error: Error): void;
}

/** `start` receives the sink and returns its cleanup, called once when the stream ends or the consumer stops. */
export function eventStream<T>(start: (sink: StreamSink<T>) => () => void): AsyncIterableIterator<T> {
  const buffered: T[] = [];
  const waiting: { resolve: (r: IteratorResult<T>) => void; reject: (e: Error) => void }[] = [];
  let ended = false;
  let failure: Error | null = null;
  let cleanup: (() => void) | null = null;

  const finish = () => {
    if (cleanup) {
      const fn = cleanup;
      cleanup = null;
      fn();
    }
  };
  const settleWaiting = () => {
    while (waiting.length > 0) {
      if (buffered.length > 0) waiting.shift()!.resolve({ value: buffered.shift()!, done: false });
      else if (failure) {
        waiting.shift()!.reject(failure);
        failure = null;
      } else if (ended) waiting.shift()!.resolve({ value: undefined, done: true });
      else return;
    }
  };
  const sink: StreamSink<T> = {
    push(value) {
      if (ended) return;
      buffered.push(value);
      settleWaiting();
    },
    end() {
      if (ended) return;
      ended = true;
      finish();
      settleWaiting();
    },
    fail(error) {
      if (ended) return;
      failure = error;
      ended = true;
      finish();
      settleWaiting();
    },
  };
  const iterator: AsyncIterableIterator<T> = {
    next() {
      return new Promise<IteratorResult<T>>((resolve, reject) => {
        waiting.push({ resolve, reject });
        settleWaiting();
      });
    },
    return() {
      ended = true;
      buffered.length = 0;
      finish();
      settleWaiting();
      return Promise.resolve({ value: undefined, done: true });
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  cleanup = start(sink);
  if (ended) finish(); // start() ended the stream synchronously, before its cleanup existed
  return iterator;
}
