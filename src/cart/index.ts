// The cart domain: catalog, commands, events and their rules, the decider and the read models.
export * from './catalog.ts';
export * from './commands.ts';
export * from './events.ts';
export * from './decider.ts';
export * from './projections.ts';
export * from './carts.ts';
export * from './sandbox.ts';
export * from './restore.ts';
