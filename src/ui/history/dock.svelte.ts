// Where the history panel is docked into the page, and the one part of it that is in the first
// load: whether it is open, loading its chunk on the first open, and one followed timeline for
// the cart on show — a new one when the page moves to another cart or another database. The
// address bar's hash follows the position, so a link or a reload comes back to it.
import type { Component, ComponentProps } from 'svelte';
import type { Carts } from '../../cart/carts.ts';
import { hashWriter, panelLink } from './deep-link.ts';
import type { FollowedTimeline } from './followed-timeline.svelte.ts';

type PanelModule = typeof import('./panel.ts');
export type PanelProps = ComponentProps<PanelModule['HistoryPanel']>;

export interface HistoryDock {
  readonly open: boolean;
  /** The panel component, once its chunk has loaded. */
  readonly Panel: Component<PanelProps> | undefined;
  /** The current cart's history, once read; undefined while closed or loading. */
  readonly timeline: FollowedTimeline | undefined;
  /** Why the panel could not load (its chunk, or the log). */
  readonly error: string;
  /** Opens the panel, at version `at` when given (a deep link), else at the present. */
  show: (at?: number) => void;
  hide: () => void;
  toggle: () => void;
}

/** Call while a component initialises: the timeline lives as long as the component. */
export function historyDock(showing: () => { carts: Carts; cartId: string } | undefined): HistoryDock {
  // A new object per show(), so showing again (another deep link) re-reads at its version.
  let request = $state.raw<{ at?: number; used?: boolean }>();
  let Panel = $state.raw<Component<PanelProps>>();
  let timeline = $state.raw<FollowedTimeline>();
  let error = $state('');

  $effect(() => {
    const wanted = request;
    const target = showing();
    if (!wanted || !target) return;
    // The link's version is for the cart it was opened with; a later switch starts at the present.
    const at = wanted.used ? undefined : wanted.at;
    wanted.used = true;
    let cancelled = false;
    let opened: FollowedTimeline | undefined;
    import('./panel.ts')
      .then(async (module) => {
        Panel ??= module.HistoryPanel;
        const followed = await module.followTimeline(target.carts, target.cartId, at);
        if (cancelled) return followed.close();
        opened = timeline = followed;
        error = '';
      })
      .catch((failure: unknown) => {
        if (!cancelled) error = failure instanceof Error ? failure.message : String(failure);
      });
    return () => {
      cancelled = true;
      opened?.close();
      timeline = undefined;
    };
  });

  const hash = hashWriter();
  // Not while a long cart's log is still read: its position is the present until then, and a deep
  // link's version (applied once it is held) would be written over.
  $effect(() => {
    if (request && timeline?.complete) hash.follow(panelLink(timeline.cartId, timeline.position, timeline.length));
  });
  // A reload right after a step still comes back to it.
  $effect(() => {
    addEventListener('pagehide', hash.flush);
    return () => removeEventListener('pagehide', hash.flush);
  });

  const hide = () => {
    request = undefined;
    error = '';
    hash.clear();
  };
  const show = (at?: number) => void (request = at === undefined ? {} : { at });

  return {
    get open() {
      return request !== undefined;
    },
    get Panel() {
      return Panel;
    },
    get timeline() {
      return timeline;
    },
    get error() {
      return error;
    },
    show,
    hide,
    toggle: () => (request ? hide() : show()),
  };
}
