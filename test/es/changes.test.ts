// The store's change feed across tabs (src/es/changes.ts), in Node's BroadcastChannel: the
// streams' message keeps the shape every version of the app has sent (a bare array of stream
// ids), so a tab still on the previous version and one on this version understand each other.
import { afterEach, expect, it, vi } from 'vitest';
import { createChangeFeed, type Change } from '../../src/es/changes.ts';

const closing: { close: () => void }[] = [];
afterEach(() => closing.splice(0).forEach((c) => c.close()));

it('sends streams as a bare array of ids and reads one so; rows go on their own channel', async () => {
  const name = `feed-${crypto.randomUUID()}`;
  const feed = createChangeFeed(name);
  const previousVersion = new BroadcastChannel(`cartlog:${name}`);
  closing.push(feed, previousVersion);
  const heard: unknown[] = [];
  previousVersion.onmessage = (message) => heard.push(message.data);
  const changes: Change[] = [];
  feed.subscribe((change) => changes.push(change));

  feed.publish(['cart-a'], ['rejected']);
  feed.publish([], ['rejected']);
  await vi.waitFor(() => expect(heard).toEqual([['cart-a']]));
  expect(changes).toEqual([
    { streamIds: ['cart-a'], rows: ['rejected'], origin: 'local' },
    { streamIds: [], rows: ['rejected'], origin: 'local' },
  ]);

  previousVersion.postMessage(['cart-b']);
  const other = createChangeFeed(name);
  closing.push(other);
  other.publish([], ['rejected']);
  await vi.waitFor(() =>
    expect(changes.slice(2)).toEqual(
      expect.arrayContaining([
        { streamIds: ['cart-b'], rows: [], origin: 'remote' },
        { streamIds: [], rows: ['rejected'], origin: 'remote' },
      ]),
    ),
  );
  expect(heard).toEqual([['cart-a']]);
});
