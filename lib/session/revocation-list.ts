/**
 * The revocation list of ACCESS_TOKEN_CHECK=revocation-list: the sessions revoked recently enough that
 * one of their access tokens may still be valid, a query of the Session table cached per process and
 * reloaded at most every REVOCATION_LIST_REFRESH_MS (single flight); a failed reload fails closed.
 * Read through lib/tokens/read-check.ts. Why: docs/decisions/0074-revocation-list-from-the-session-table.md.
 */
import 'server-only';
import { db } from '../db/client';
import { getConfig } from '../config/config';
import { registerRevocationList, registeredRevocationList, type RevocationList } from '../tokens/read-check';

/** The longest a read may rely on a snapshot of the list: the cross-process bound, less the query time. */
export const REVOCATION_LIST_REFRESH_MS = 500;

/**
 * Entries are kept this much longer than an access token lives: the token's `exp` was set by the clock
 * of the server that signed it and `revokedAt` by the one that revoked, so a few seconds of skew between
 * servers must not let a token outlive its entry.
 */
export const REVOCATION_CLOCK_SKEW_SECONDS = 5;

/** A session revoked after this instant may still have a valid access token: it belongs on the list. */
export function revocationListCutoff(now: Date): Date {
  const keepSeconds = getConfig().ACCESS_TOKEN_TTL_SECONDS + REVOCATION_CLOCK_SKEW_SECONDS;
  return new Date(now.getTime() - keepSeconds * 1000);
}

/** The list's entries at `now`: ids of sessions revoked after the cutoff (one indexed query). */
export async function loadRevokedSessionIds(now: Date): Promise<string[]> {
  const rows = await db().session.findMany({
    where: { revokedAt: { gt: revocationListCutoff(now) } },
    select: { id: true },
  });
  return rows.map((row) => row.id);
}

type Snapshot = { takenAt: number; ids: ReadonlySet<string> };

export type RevocationListOptions = {
  refreshMs?: number;
  /** Milliseconds since the epoch; injected by tests that move time. */
  clock?: () => number;
  load?: (now: Date) => Promise<string[]>;
};

export type ServerRevocationList = RevocationList & {
  /** How many reload queries this list has sent. */
  reloads(): number;
  /** From now on, answer only from a snapshot taken after `ms` (a revocation this process just committed). */
  requireSnapshotAfter(ms: number): void;
};

/** A list with its own cached snapshot. The server uses one per process: `revocationList()`. */
export function createRevocationList(options: RevocationListOptions = {}): ServerRevocationList {
  const refreshMs = options.refreshMs ?? REVOCATION_LIST_REFRESH_MS;
  const clock = options.clock ?? Date.now;
  const load = options.load ?? loadRevokedSessionIds;
  let snapshot: Snapshot | null = null;
  let inFlight: Promise<Snapshot> | null = null;
  let reloads = 0;
  let notBefore = 0;

  /** Single flight: every caller during a reload shares its query. */
  function reload(): Promise<Snapshot> {
    inFlight ??= (async () => {
      const takenAt = clock(); // before the query: what committed before now is in the answer
      reloads += 1;
      try {
        const fresh = { takenAt, ids: new Set(await load(new Date(takenAt))) };
        if (!snapshot || fresh.takenAt >= snapshot.takenAt) snapshot = fresh;
        return fresh;
      } finally {
        inFlight = null;
      }
    })();
    return inFlight;
  }

  return {
    async isRevoked(sessionId) {
      const askedAt = clock();
      let current = snapshot;
      // A reload already in flight may have started too early for this read; then one more is started,
      // which began after `askedAt`, so the loop ends after at most two.
      while (!current || current.takenAt < Math.max(askedAt - refreshMs, notBefore)) current = await reload();
      return current.ids.has(sessionId);
    },
    reloads: () => reloads,
    requireSnapshotAfter(ms) {
      notBefore = Math.max(notBefore, ms);
    },
  };
}

/**
 * A revocation this process has just committed is refused by this process's next read at once, not
 * only within the bound (the lab shows the read refused immediately). No-op in stateless mode.
 */
export function noteLocalRevocation(at = Date.now()): void {
  (registeredRevocationList() as Partial<ServerRevocationList> | null)?.requireSnapshotAfter?.(at);
}

/**
 * This process's list, created on first use and registered on `globalThis`, so the proxy, route
 * handlers and instrumentation (bundled separately, one process) share one cached snapshot.
 */
export function revocationList(): RevocationList {
  const existing = registeredRevocationList();
  if (existing) return existing;
  const list = createRevocationList();
  registerRevocationList(list);
  return list;
}
