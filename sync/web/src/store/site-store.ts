import { create } from 'zustand';
import { api, ApiProblem, setSessionToken } from '../api/client';
import type {
  DeadLettersResponse,
  DiscoverRequest,
  DiscoverResponse,
  MetersResponse,
  ReadPointRequest,
  ReadPointResponse,
  StatusResponse,
  SyncLogResponse,
} from '../api/types';
import { count, duration } from '../lib/format';

/** How often the dashboard asks the agent for news. */
export const POLL_MS = 5000;
const SESSION_KEY = 'meterit-site-session';

type Action = 'sync' | 'start' | 'stop' | 'retry' | 'login' | Tool;
/** The technician's tools: their answers and errors stay beside them, not in the notice. */
type Tool = 'discover' | 'read';
export interface Notice {
  kind: 'success' | 'error' | 'info';
  text: string;
}
interface Session {
  token: string;
  expiresAt: string;
}

interface SiteState {
  status: StatusResponse | null;
  meters: MetersResponse | null;
  syncLog: SyncLogResponse | null;
  deadLetters: DeadLettersResponse | null;
  /** Why the last refresh failed; the last good data stays on screen. */
  loadError: string | null;
  lastLoadedAt: number | null;
  session: Session | null;
  busy: Action | null;
  notice: Notice | null;
  loginOpen: boolean;
  loginError: string | null;
  discovery: DiscoverResponse | null;
  pointRead: ReadPointResponse | null;
  toolError: Partial<Record<Tool, string>>;
  refresh(): Promise<void>;
  discover(req: DiscoverRequest): Promise<void>;
  readPoint(req: ReadPointRequest): Promise<void>;
  syncNow(): Promise<void>;
  setCollecting(on: boolean, reason?: string): Promise<void>;
  retryDeadLetters(): Promise<void>;
  login(token: string): Promise<void>;
  logout(): Promise<void>;
  openLogin(): void;
  closeLogin(): void;
  clearNotice(): void;
}

function loadSession(): Session | null {
  try {
    const s = JSON.parse(sessionStorage.getItem(SESSION_KEY) ?? 'null') as Session | null;
    if (s && Date.parse(s.expiresAt) > Date.now()) return s;
  } catch {
    // A damaged entry is the same as none.
  }
  return null;
}

function saveSession(s: Session | null): void {
  setSessionToken(s?.token ?? null);
  if (s) sessionStorage.setItem(SESSION_KEY, JSON.stringify(s));
  else sessionStorage.removeItem(SESSION_KEY);
}

const initialSession = loadSession();
setSessionToken(initialSession?.token ?? null);

/** The action to run once the technician has logged in (the one that asked for it). */
let afterLogin: (() => Promise<void>) | null = null;

export const useSite = create<SiteState>((set, get) => {
  /**
   * Run a control action; without a valid session, ask for the token first and then run it. A tool keeps its answer
   * in the store itself (`run` answers null) and its error beside it; the buttons' results go to the notice.
   */
  async function control(action: Exclude<Action, 'login'>, run: () => Promise<string | null>): Promise<void> {
    if (!get().session) {
      afterLogin = () => control(action, run);
      set({ loginOpen: true, loginError: null });
      return;
    }
    const tool = action === 'discover' || action === 'read' ? action : null;
    set(tool ? { busy: action, toolError: { ...get().toolError, [tool]: undefined } } : { busy: action, notice: null });
    try {
      const text = await run();
      if (text !== null) set({ notice: { kind: 'success', text } });
    } catch (err) {
      const p = err as ApiProblem;
      if (p.status === 401) {
        saveSession(null);
        afterLogin = () => control(action, run);
        set({ session: null, loginOpen: true, loginError: 'Your login has expired. Enter the control token again.' });
      } else if (tool) {
        set({ toolError: { ...get().toolError, [tool]: p.message } });
      } else {
        set({ notice: { kind: 'error', text: p.message } });
      }
    } finally {
      set({ busy: null });
      if (!tool) void get().refresh();
    }
  }

  return {
    status: null,
    meters: null,
    syncLog: null,
    deadLetters: null,
    loadError: null,
    lastLoadedAt: null,
    session: initialSession,
    busy: null,
    notice: null,
    loginOpen: false,
    loginError: null,
    discovery: null,
    pointRead: null,
    toolError: {},

    async refresh() {
      try {
        const [status, meters, syncLog, deadLetters] = await Promise.all([
          api.status(),
          api.meters(),
          api.syncLog(),
          api.deadLetters(),
        ]);
        set({ status, meters, syncLog, deadLetters, loadError: null, lastLoadedAt: Date.now() });
      } catch (err) {
        set({ loadError: (err as Error).message });
      }
    },

    syncNow: () =>
      control('sync', async () => {
        const r = await api.syncNow();
        const res = r.result;
        if (!res.ok)
          throw new ApiProblem(
            `Sync failed: ${res.error ?? res.error_code ?? 'unknown reason'}. ${count(r.backlog.count)} readings still wait to be sent.`,
            null,
            res.error_code,
          );
        const sent =
          res.sent === 0
            ? 'Nothing was waiting to be sent'
            : `Sent ${count(res.sent)} readings in ${res.duration_ms < 1000 ? `${res.duration_ms} ms` : duration(res.duration_ms)} (${count(res.stored)} new, ${count(res.duplicates)} already there${res.dead_lettered ? `, ${count(res.dead_lettered)} refused: see dead letters` : ''})`;
        return `${sent}. Backlog now: ${count(r.backlog.count)}.`;
      }),

    setCollecting: (on, reason) =>
      control(on ? 'start' : 'stop', async () => {
        if (on) await api.startCollection(reason);
        else await api.stopCollection(reason);
        return on
          ? 'Collection started.'
          : 'Collection stopped. It stays stopped, also after a restart, until someone starts it.';
      }),

    retryDeadLetters: () =>
      control('retry', async () => {
        const r = await api.retryDeadLetters();
        return r.moved === 0
          ? 'There were no dead letters to retry.'
          : `${count(r.requeued)} readings put back into the upload queue; they are sent with the next sync.`;
      }),

    discover: (req) =>
      control('discover', async () => {
        set({ discovery: await api.discover(req) });
        return null;
      }),

    readPoint: (req) =>
      control('read', async () => {
        set({ pointRead: await api.readPoint(req) });
        return null;
      }),

    async login(token) {
      set({ busy: 'login', loginError: null });
      try {
        const r = await api.login(token);
        const session = { token: r.session_token, expiresAt: r.expires_at };
        saveSession(session);
        set({ session, loginOpen: false });
        const next = afterLogin;
        afterLogin = null;
        set({ busy: null });
        if (next) await next();
      } catch (err) {
        const p = err as ApiProblem;
        set({ busy: null, loginError: p.status === 401 ? 'Wrong control token.' : p.message });
      }
    },

    async logout() {
      try {
        await api.logout();
      } catch {
        // The session ends on this device either way.
      }
      saveSession(null);
      set({ session: null, notice: { kind: 'info', text: 'Logged out.' } });
    },

    openLogin: () => set({ loginOpen: true, loginError: null }),
    closeLogin: () => {
      afterLogin = null;
      set({ loginOpen: false, loginError: null });
    },
    clearNotice: () => set({ notice: null }),
  };
});
