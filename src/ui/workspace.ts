// Which database the page shows: the live carts, or a sandbox imported from an export file
// (CONTRACT §4). A sandbox is this tab's: the marker lives in the tab's storage, so a reload keeps
// showing it (its banner with it) and other tabs stay on the live carts; commands there change
// the sandbox only. Leaving it deletes its database. Free of Svelte and the DOM, so it runs in Node.
import { Dexie } from 'dexie';
import type { Carts } from '../cart/carts.ts';
import { isSandbox } from '../cart/database-names.ts';
import { deleteEventStore } from '../es/store.ts';
import type { KeyValueStorage } from './device.ts';
import type { Session } from './session.ts';
import { CURRENT_CART_KEY, SANDBOX_KEY } from './stored-keys.ts';

/** The sandbox's own "current cart", apart from the live one's, which it must never overwrite. */
const SANDBOX_SCOPE = 'cartlog:sandbox:';

export interface SandboxInfo {
  /** Its database. */
  name: string;
  /** The file it was imported from, as the shopper chose it. */
  fileName: string;
  eventCount: number;
}

export interface Workspace {
  session: Session;
  /** Set while a sandbox is shown. */
  sandbox?: SandboxInfo;
}

export interface WorkspaceOptions {
  /** The tab's storage (sessionStorage in the page). */
  tabStorage: KeyValueStorage;
  /** Opens a session on `storage` and database `dbName` (the live database when absent). */
  openSession: (options: { storage?: KeyValueStorage; dbName?: string }) => Promise<Session>;
  /** Whether a database exists; Dexie's by default. */
  exists?: (name: string) => Promise<boolean>;
}

export interface Workspaces {
  /** What this tab showed last: its sandbox while that still exists, else the live carts. */
  open: () => Promise<Workspace>;
  /** Shows an imported sandbox instead of `from`, which is closed (and deleted, if a sandbox). */
  enter: (from: Workspace, imported: { carts: Carts; eventCount: number }, fileName: string) => Promise<Workspace>;
  /** Back to the live carts; the sandbox is deleted. */
  leave: (from: Workspace) => Promise<Workspace>;
}

export function workspaces(options: WorkspaceOptions): Workspaces {
  const { tabStorage, openSession } = options;
  const exists = options.exists ?? ((name: string) => Dexie.exists(name));
  const sandboxStorage = scoped(tabStorage, SANDBOX_SCOPE);
  const mark = (sandbox: SandboxInfo | undefined) => tabStorage.setItem(SANDBOX_KEY, sandbox ? JSON.stringify(sandbox) : '');
  const openSandbox = (sandbox: SandboxInfo) => openSession({ storage: sandboxStorage, dbName: sandbox.name });

  return {
    async open() {
      const sandbox = readMark(tabStorage.getItem(SANDBOX_KEY));
      if (sandbox && (await exists(sandbox.name))) return { session: await openSandbox(sandbox), sandbox };
      if (sandbox) mark(undefined);
      return { session: await openSession({}) };
    },
    async enter(from, imported, fileName) {
      const sandbox: SandboxInfo = { name: imported.carts.store.name, fileName, eventCount: imported.eventCount };
      imported.carts.close();
      // The sandbox opens on the cart the shopper was looking at, when the file holds it.
      sandboxStorage.setItem(CURRENT_CART_KEY, from.session.state.cartId);
      let session: Session;
      try {
        session = await openSandbox(sandbox);
      } catch (error) {
        await deleteEventStore(sandbox.name);
        throw error;
      }
      mark(sandbox);
      await close(from);
      return { session, sandbox };
    },
    async leave(from) {
      const session = await openSession({});
      mark(undefined);
      await close(from);
      return { session };
    },
  };
}

async function close(workspace: Workspace): Promise<void> {
  workspace.session.close();
  if (workspace.sandbox) await deleteEventStore(workspace.sandbox.name);
}

/** Only a sandbox's name is taken from the mark: leaving deletes that database, never the live one. */
function readMark(text: string | null): SandboxInfo | undefined {
  if (!text) return undefined;
  let value: Partial<SandboxInfo>;
  try {
    value = JSON.parse(text) as Partial<SandboxInfo>;
  } catch {
    return undefined;
  }
  const valid = typeof value.name === 'string' && isSandbox(value.name) && typeof value.fileName === 'string' && Number.isInteger(value.eventCount);
  return valid ? (value as SandboxInfo) : undefined;
}

function scoped(storage: KeyValueStorage, prefix: string): KeyValueStorage {
  return { getItem: (key) => storage.getItem(prefix + key), setItem: (key, value) => storage.setItem(prefix + key, value) };
}
