// Hearing other server processes' commits on one PostgreSQL: LISTEN on a connection of its own.
import pg from 'pg';

export const CHANNEL = 'cartlog_commits';
const RECONNECT_MS = 500;

/**
 * A connection of its own that LISTENs for commits by every process. If it drops, it comes back,
 * and everyone is woken once, since a commit may have been missed in between.
 */
export async function listen(connectionString: string, onCommit: (userId: string | undefined) => void) {
  let client: pg.Client | undefined;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;

  const connect = async (): Promise<void> => {
    const next = new pg.Client({ connectionString });
    next.on('notification', (message) => {
      if (message.channel === CHANNEL) onCommit(message.payload || undefined);
    });
    next.on('error', (error) => {
      console.error(`cartlog: PostgreSQL LISTEN connection: ${error.message}`);
      lost(next);
    });
    next.on('end', () => lost(next));
    try {
      await next.connect();
      await next.query(`LISTEN ${CHANNEL}`);
    } catch (error) {
      next.end().catch(() => {});
      throw error;
    }
    client = next;
  };

  const lost = (which: pg.Client) => {
    if (which !== client) return;
    client = undefined;
    which.end().catch(() => {});
    reconnectLater();
  };

  const reconnectLater = () => {
    if (closed || retry) return;
    retry = setTimeout(() => {
      retry = undefined;
      connect().then(
        () => onCommit(undefined),
        (error: Error) => {
          console.error(`cartlog: PostgreSQL LISTEN reconnect failed: ${error.message}`);
          reconnectLater();
        },
      );
    }, RECONNECT_MS);
    retry.unref();
  };

  await connect();
  return {
    async close() {
      closed = true;
      clearTimeout(retry);
      await client?.end();
    },
  };
}
