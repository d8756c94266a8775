// Costs that need no IndexedDB, per call, for the command and bulk paths.
import { v7 as uuidv7 } from 'uuid';
import { validateCartData } from '../../../src/cart/carts.ts';
import { cartDecider, type CartState } from '../../../src/cart/decider.ts';
import { cartListProjection, cartViewProjection, type CartView } from '../../../src/cart/projections.ts';
import { fold } from '../../../src/es/decider.ts';
import type { EventEnvelope } from '../../../src/es/envelope.ts';
import { checkEnvelope } from '../../../src/es/validate.ts';
import { cartHistory, newCartId } from '../fixtures.ts';
import { foldRows } from '../raw/log.ts';

/** Microseconds per call, after a warm-up. */
export function perCall(work: (i: number) => unknown, calls = 20_000): number {
  for (let i = 0; i < calls / 10; i++) work(i);
  const start = performance.now();
  for (let i = 0; i < calls; i++) work(i);
  return ((performance.now() - start) * 1000) / calls;
}

/** Per-call costs on a cart of 30 lines (what the command bench's cart grows to). */
export function commandCpuCosts(): string[] {
  const history = cartHistory(newCartId(), 31, 30);
  const state = fold(cartDecider, history as never[]) as CartState;
  const view = history.reduce<CartView | undefined>((row, e) => cartViewProjection.evolve(row, e, e.streamId), undefined);
  const entry = cartListProjection.derive(view, history[0]!.streamId);
  const event = { ...history[30]!, type: 'ItemQuantityChanged', data: { sku: state.lines[3]!.sku, quantity: 7 } } as EventEnvelope;
  const command = { type: 'AddItem' as const, data: { sku: state.lines[3]!.sku, quantity: 1 } };
  const head = { streamId: event.streamId, version: 31, confirmedThrough: 0, snapshot: { version: 31, stateVersion: 1, state } };
  const costs: [string, number][] = [
    ['uuidv7()', perCall(() => uuidv7())],
    ['crypto.randomUUID()', perCall(() => crypto.randomUUID())],
    ['new Date().toISOString()', perCall(() => new Date().toISOString())],
    ['checkEnvelope + cart data', perCall(() => checkEnvelope(event, validateCartData))],
    ['cart data only', perCall(() => validateCartData(event.type, 1, event.data))],
    ['decide + fold', perCall(() => fold(cartDecider, cartDecider.decide(command, state), state))],
    ['evolve cartView + derive cartList rows', perCall(() => cartListProjection.derive(cartViewProjection.evolve(view, event, event.streamId), event.streamId))],
    ['structuredClone(head with snapshot)', perCall(() => structuredClone(head), 5000)],
    ['structuredClone(both rows)', perCall(() => structuredClone([view, entry]), 5000)],
  ];
  return costs.map(([what, us]) => `cpu ${what}: ${us.toFixed(2)} µs`);
}

/** Per-event costs over a bulk batch. */
export function bulkCpuCosts(events: readonly EventEnvelope[]): string[] {
  const per = (work: () => void) => {
    work();
    const start = performance.now();
    work();
    return ((performance.now() - start) * 1000) / events.length;
  };
  const costs: [string, number][] = [
    ['checkEnvelope + cart data', per(() => events.forEach((e) => checkEnvelope(e, validateCartData)))],
    ['checkEnvelope alone', per(() => events.forEach((e) => checkEnvelope(e)))],
    ['cart data alone', per(() => events.forEach((e) => validateCartData(e.type, e.schemaVersion, e.data)))],
    ['fold cartView', per(() => foldRows([cartViewProjection], events))],
    ['fold cartView + derive cartList', per(() => foldRows([cartViewProjection, cartListProjection], events))],
    ['structuredClone of the events', per(() => structuredClone(events))],
  ];
  return costs.map(([what, us]) => `cpu ${what}: ${us.toFixed(2)} µs/event → ${Math.round(1e6 / us).toLocaleString('en-US')} events/s alone`);
}
