// Every failure the store or a domain reports is a typed error with a human-readable message,
// and none of them leaves anything half-written (each write is one IndexedDB transaction).

/** A rule of the domain refused a command. `code` is stable for programs; `message` is for people. */
export class DomainError extends Error {
  override name = 'DomainError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export type ExpectedVersion = number | 'any' | 'no_stream';

export class ConcurrencyError extends Error {
  override name = 'ConcurrencyError';
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedVersion,
    readonly actual: number,
  ) {
    super(`Stream ${streamId} is at version ${actual}, not ${describe(expected)}: someone else changed it first.`);
  }
}

/** The same event id was appended again with other content. */
export class IdConflictError extends Error {
  override name = 'IdConflictError';
  constructor(readonly id: string) {
    super(`Event ${id} is already stored with other content.`);
  }
}

export class InvalidEventError extends Error {
  override name = 'InvalidEventError';
  constructor(
    readonly field: string,
    readonly reason: string,
    readonly index = 0,
  ) {
    super(`Invalid event${index ? ` #${index + 1}` : ''}: ${field} ${reason}.`);
  }
}

/** The browser refused to store more (quota). Nothing of the failed write was kept. */
export class StorageFullError extends Error {
  override name = 'StorageFullError';
  constructor(override readonly cause?: unknown) {
    super('The browser has no room left to store this change. Free some space (or export and delete old carts) and try again.');
  }
}

/**
 * The database was last upgraded by a newer release of cartlog than this tab runs: its code cannot
 * be trusted with rows it does not know, so it opens nothing and offers a reload (which loads the newer code).
 */
export class NewerDatabaseError extends Error {
  override name = 'NewerDatabaseError';
  constructor() {
    super('A newer version of cartlog has been used on this device. Reload to use it too: this page runs an older one, which cannot open your carts safely.');
  }
}

/** Another tab opened a newer version of the database: this one closed its connection. */
export class DatabaseUpgradedError extends Error {
  override name = 'DatabaseUpgradedError';
  constructor() {
    super('A newer version of cartlog was opened in another tab. Reload this tab to continue.');
  }
}

function describe(expected: ExpectedVersion): string {
  return expected === 'no_stream' ? 'empty' : expected === 'any' ? 'any version' : `version ${expected}`;
}

/**
 * The browser closed this tab's database connection (WebKit does so to background tabs), and
 * reopening it and trying once more failed too. Nothing acknowledged was lost; a reload reconnects.
 */
export class ConnectionLostError extends Error {
  override name = 'ConnectionLostError';
  constructor(override readonly cause?: unknown) {
    super('The browser keeps closing this tab’s connection to its database. Reload the tab to continue: every change shown as done is kept.');
  }
}
