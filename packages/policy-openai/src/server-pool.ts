/** Counters of one server of a {@link ServerPool}. */
export interface ServerStats {
  /** Base URL. */
  url: string;
  /** Requests in flight now. */
  inFlight: number;
  /** Attempts sent in all. */
  requests: number;
  /** Attempts that failed with a retryable error (connection, timeout, 429, 5xx). */
  failures: number;
  /** True while the server is avoided after a failure. */
  coolingDown: boolean;
}

/** A slot on one server; call `release` exactly once. */
export interface ServerLease {
  /** Base URL of the chosen server. */
  url: string;
  /** Frees the slot; `failed` puts the server in cooldown. */
  release(failed?: boolean): void;
}

interface ServerState {
  url: string;
  inFlight: number;
  requests: number;
  failures: number;
  downUntil: number;
}

/**
 * Least-in-flight load balancing over several servers with a concurrency limit per server. A server that
 * failed is avoided for `cooldownMs` while another one can take the request, and a retry prefers servers it
 * has not tried yet. When every server is at its limit, `acquire` waits (FIFO) for a free slot.
 */
export class ServerPool {
  private readonly servers: ServerState[];
  private readonly waiters: (() => void)[] = [];
  private next = 0;

  constructor(
    urls: readonly string[],
    private readonly options: {
      /** Requests in flight per server. */
      maxConcurrency: number;
      /** How long a failed server is avoided, ms. */
      cooldownMs: number;
      /** Clock in ms (tests). */
      now?: () => number;
    },
  ) {
    this.servers = urls.map((url) => ({ url, inFlight: 0, requests: 0, failures: 0, downUntil: 0 }));
  }

  /** Waits for a slot on the best server, preferring servers not in `tried` and not cooling down. */
  async acquire(tried: ReadonlySet<string> = new Set(), signal?: AbortSignal): Promise<ServerLease> {
    for (;;) {
      signal?.throwIfAborted();
      const server = this.pick(tried);
      if (server) return this.lease(server);
      await new Promise<void>((resolve, reject) => {
        const wake = () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        };
        const onAbort = () => {
          const i = this.waiters.indexOf(wake);
          if (i >= 0) this.waiters.splice(i, 1);
          reject(signal!.reason);
        };
        this.waiters.push(wake);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    }
  }

  /** A slot right now on the best server (same preferences as {@link acquire}), or undefined when all are full. */
  tryAcquire(tried: ReadonlySet<string> = new Set()): ServerLease | undefined {
    const server = this.pick(tried);
    return server ? this.lease(server) : undefined;
  }

  /** Counters per server, in the order given. */
  stats(): ServerStats[] {
    const now = this.now();
    return this.servers.map((s) => ({ url: s.url, inFlight: s.inFlight, requests: s.requests, failures: s.failures, coolingDown: s.downUntil > now }));
  }

  private pick(tried: ReadonlySet<string>): ServerState | undefined {
    const now = this.now();
    const free = this.servers.filter((s) => s.inFlight < this.options.maxConcurrency);
    if (free.length === 0) return undefined;
    // Preference tiers: fresh and up, then up, then fresh, then any.
    const tiers = [
      free.filter((s) => !tried.has(s.url) && s.downUntil <= now),
      free.filter((s) => s.downUntil <= now),
      free.filter((s) => !tried.has(s.url)),
      free,
    ];
    const tier = tiers.find((t) => t.length > 0)!;
    const least = Math.min(...tier.map((s) => s.inFlight));
    // Round-robin among the least busy, so equal servers share the load.
    const n = this.servers.length;
    for (let i = 0; i < n; i++) {
      const s = this.servers[(this.next + i) % n]!;
      if (s.inFlight === least && tier.includes(s)) {
        this.next = (this.servers.indexOf(s) + 1) % n;
        return s;
      }
    }
    return tier[0];
  }

  private lease(server: ServerState): ServerLease {
    server.inFlight += 1;
    server.requests += 1;
    let released = false;
    return {
      url: server.url,
      release: (failed = false) => {
        if (released) return;
        released = true;
        server.inFlight -= 1;
        if (failed) {
          server.failures += 1;
          server.downUntil = this.now() + this.options.cooldownMs;
        } else {
          server.downUntil = 0;
        }
        this.waiters.shift()?.();
      },
    };
  }

  private now(): number {
    return this.options.now ? this.options.now() : Date.now();
  }
}
