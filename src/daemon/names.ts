// nslabd's side of the embedded DNS server: loaded on first use, refreshed from the state in
// the change queue, and the names that came and went told to `events` after the change.
import type { Logger } from 'pino';
import type { DnsServer } from '../dns/server.js';
import type { State } from '../state/types.js';

type Publish = (type: string, name: string, detail: Record<string, unknown>) => void;

export class NameService {
  /** Loaded on first use: dns-packet is read by nslabd's DNS path only. */
  private server: DnsServer | undefined;
  private closed = false;
  /** Name changes of the last refresh, told after the change that made them (see flush). */
  private pending: Array<[string, string, Record<string, unknown>]> = [];

  constructor(private readonly log: Logger, private readonly daemonDns: readonly string[], private readonly publish: Publish) {}

  /**
   * Bring the server in line with `state`: bind new gateways, close removed ones, rebuild the
   * names, and keep which names came and went for `flush`. Runs inside the change queue (after
   * the reconcile, after each change), so a CLI call that returned finds its names served.
   * Never throws: DNS trouble is a warning, not a failed request. Idempotent.
   */
  async refresh(readState: () => Promise<State>, log: Logger): Promise<void> {
    if (this.closed) return;
    try {
      if (!this.server) {
        const { DnsServer } = await import('../dns/server.js');
        this.server = new DnsServer({ log: this.log.child({ dns: true }), daemonDns: [...this.daemonDns] });
      }
      const { added, removed } = await this.server.refresh(await readState());
      for (const r of removed) this.pending.push(['dns.removed', r.name, { address: r.address, network: r.network }]);
      for (const r of added) this.pending.push(['dns.registered', r.name, { address: r.address, network: r.network }]);
    } catch (e) {
      log.warn(`DNS: could not refresh the names served (${(e as Error).message})`);
    }
  }

  /** Tell `events` the names the last refreshes added or removed (after the change's own event). */
  flush(): void {
    for (const [type, name, detail] of this.pending.splice(0)) this.publish(type, name, detail);
  }

  /** Close every socket; later refreshes do nothing. */
  async close(): Promise<void> {
    this.closed = true;
    await this.server?.close();
  }
}
