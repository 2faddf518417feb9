/**
 * Refused sign-ins (a presented but refused card or session), per network address and per window
 * (a minute): the first refusal of a window is traced at once, the others are counted and traced
 * as one AuditEvent when the window closes — a flood of forged cards (300 in 1.8 s) fills the
 * trail with two rows, not 300. Past `limit` refusals in a window the address gets 429 without
 * its card being examined further. Memory counters per app server, like the sign-in rate limit.
 */
export interface RefusalSummary {
  address: string;
  count: number;
  from: Date;
  to: Date;
  detail: string;
}

interface Window {
  start: number;
  last: number;
  count: number;
  traced: number;
  detail: string;
  timer: NodeJS.Timeout;
}

export class RefusedSignIns {
  private readonly windows = new Map<string, Window>();

  constructor(
    /** Writes one AuditEvent: a single refusal (count 1) or the aggregate of a window. */
    private readonly trace: (summary: RefusalSummary) => Promise<void>,
    private readonly limit: number,
    private readonly windowMs = 60_000,
  ) {}

  /** True when the address has been refused too often in this window (answer 429). */
  isThrottled(address: string): boolean {
    return (this.windows.get(address)?.count ?? 0) >= this.limit;
  }

  async record(address: string, detail: string): Promise<void> {
    const now = Date.now();
    const current = this.windows.get(address);
    if (current) {
      current.count++;
      current.last = now;
      current.detail = detail;
      return;
    }
    const window: Window = { start: now, last: now, count: 1, traced: 1, detail, timer: setTimeout(() => void this.close(address), this.windowMs) };
    window.timer.unref();
    this.windows.set(address, window);
    await this.trace({ address, count: 1, from: new Date(now), to: new Date(now), detail });
  }

  /** Ends an address's window: the refusals not traced yet become one AuditEvent. */
  async close(address: string): Promise<void> {
    const window = this.windows.get(address);
    if (!window) return;
    this.windows.delete(address);
    clearTimeout(window.timer);
    const untraced = window.count - window.traced;
    if (untraced > 0) {
      await this.trace({ address, count: untraced, from: new Date(window.start), to: new Date(window.last), detail: window.detail }).catch(() => undefined);
    }
  }

  /** Traces every open window now (server shutdown, tests). */
  async flush(): Promise<void> {
    await Promise.all([...this.windows.keys()].map((address) => this.close(address)));
  }
}
