// A Dexie live query as a rune-backed value. The query's input is read here, in an effect, and
// passed in: Dexie re-runs the querier on its own schedule, outside Svelte's tracking, so a
// reactive read inside it would never re-subscribe when the input changes. Call it while a
// component initialises; the subscription ends with the component.
import { liveQuery } from 'dexie';
import { untrack } from 'svelte';

export interface Live<T> {
  /** The latest result; after the input changes, the old one until the new one arrives. */
  readonly current: T | undefined;
  /** Why the query failed (e.g. the database was closed), until it succeeds again. */
  readonly error: unknown;
}

export function live<Input, T>(input: () => Input, query: (input: Input) => Promise<T>): Live<T> {
  let current = $state.raw<T>();
  let error = $state.raw<unknown>();
  $effect(() => {
    const value = input();
    const subscription = untrack(() =>
      liveQuery(() => query(value)).subscribe({
        next: (result) => {
          current = result;
          error = undefined;
        },
        error: (failure: unknown) => (error = failure),
      }),
    );
    return () => subscription.unsubscribe();
  });
  return {
    get current() {
      return current;
    },
    get error() {
      return error;
    },
  };
}
