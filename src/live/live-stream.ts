// One subscriber's stream: a bounded queue read as an async iterator (what graphql-js subscriptions
// consume). The queue never grows past its bound: a consumer that falls that far behind is dropped with
// ODM_ERR_LIVE_SLOW_CONSUMER rather than slowing the node or holding memory. Closing with an error
// (revocation, expiry…) discards what is queued: data the app may no longer read is never sent.
import { GraphQLError } from 'graphql';
import { OdmError } from '../core/errors.ts';

export type CloseReason = 'client' | 'shutdown' | 'error';

export interface StreamEnd {
  reason: CloseReason;
  error?: OdmError;
  /** Updates handed to the consumer. */
  delivered: number;
}

/** GraphQL errors carry the stable code (graphql-ws sends them in the `error` message). */
export function toGraphQLError(err: OdmError): GraphQLError {
  return new GraphQLError(err.message, { extensions: { code: err.code, ...err.details } });
}

export class LiveStream<T> implements AsyncIterableIterator<T> {
  readonly #capacity: number;
  readonly #onEnd: (end: StreamEnd) => void;
  #queue: T[] = [];
  #head = 0;
  #waiter: { resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void } | undefined;
  #ended: StreamEnd | undefined;
  #delivered = 0;

  constructor(capacity: number, onEnd: (end: StreamEnd) => void) {
    this.#capacity = capacity;
    this.#onEnd = onEnd;
  }

  get closed(): boolean {
    return this.#ended !== undefined;
  }

  get buffered(): number {
    return this.#queue.length - this.#head;
  }

  /** Queues one update; drops the stream when its consumer is `capacity` updates behind. */
  push(item: T): void {
    if (this.#ended) return;
    const waiter = this.#waiter;
    if (waiter) {
      this.#waiter = undefined;
      this.#delivered++;
      waiter.resolve({ value: item, done: false });
      return;
    }
    if (this.buffered >= this.#capacity) {
      this.fail(new OdmError('ODM_ERR_LIVE_SLOW_CONSUMER', `the subscriber fell ${this.#capacity} updates behind; the stream was closed (resubscribe and read faster)`, { details: { buffered: this.#capacity } }));
      return;
    }
    this.#queue.push(item);
  }

  /** Ends the stream with an error; queued updates are discarded. */
  fail(error: OdmError): void {
    this.#end({ reason: 'error', error, delivered: this.#delivered });
  }

  /** Ends the stream quietly (the consumer sees `done`). */
  finish(reason: Exclude<CloseReason, 'error'> = 'shutdown'): void {
    this.#end({ reason, delivered: this.#delivered });
  }

  #end(end: StreamEnd): void {
    if (this.#ended) return;
    this.#ended = end;
    this.#queue = [];
    this.#head = 0;
    const waiter = this.#waiter;
    this.#waiter = undefined;
    if (waiter) {
      if (end.error) waiter.reject(toGraphQLError(end.error));
      else waiter.resolve({ value: undefined, done: true });
    }
    this.#onEnd(end);
  }

  next(): Promise<IteratorResult<T>> {
    if (this.#head < this.#queue.length) {
      const value = this.#queue[this.#head]!;
      this.#queue[this.#head++] = undefined as T;
      // Compact now and then so a long-lived stream's array does not keep its consumed prefix.
      if (this.#head >= 1024 && this.#head * 2 >= this.#queue.length) {
        this.#queue = this.#queue.slice(this.#head);
        this.#head = 0;
      }
      this.#delivered++;
      return Promise.resolve({ value, done: false });
    }
    if (this.#ended) {
      return this.#ended.error ? Promise.reject(toGraphQLError(this.#ended.error)) : Promise.resolve({ value: undefined, done: true });
    }
    if (this.#waiter) return Promise.reject(new Error('LiveStream.next called while a read is pending'));
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject };
    });
  }

  /** The consumer stopped (graphql-ws `complete`, socket closed). */
  return(): Promise<IteratorResult<T>> {
    this.#end({ reason: 'client', delivered: this.#delivered });
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(error?: unknown): Promise<IteratorResult<T>> {
    this.#end({ reason: 'client', delivered: this.#delivered });
    return Promise.reject(error);
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }
}
