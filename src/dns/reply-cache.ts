// Replies to the zone's own names kept by the bytes of the query after its id: a name asked
// again (the usual case: every container asks the same few) is answered with a copy and the
// new id, without decoding or encoding anything. nslabd's UDP path only.

/** Entries before the cache starts over (a network's names and a few query forms of each). */
const MAX_ENTRIES = 4096;

export class ReplyCache {
  private readonly byQuery = new Map<string, Buffer>();

  /** The reply made before to a query of the same bytes as `msg`, with `msg`'s id; undefined when none. */
  get(msg: Buffer): Buffer | undefined {
    if (msg.length < 12) return undefined;
    const kept = this.byQuery.get(msg.toString('latin1', 2));
    if (!kept) return undefined;
    // A copy: the kept reply must not change while an earlier send still holds it.
    const out = Buffer.allocUnsafe(kept.length);
    kept.copy(out);
    out.writeUInt16BE(msg.readUInt16BE(0), 0);
    return out;
  }

  /**
   * Keep `reply` to `msg` when every asker gets the same one: at most one answer record and not
   * truncated (the addresses of a name with several rotate from one query to the next).
   */
  put(msg: Buffer, reply: Buffer): void {
    if (msg.length < 12 || reply.length < 12 || reply.readUInt16BE(6) > 1 || (reply[2]! & 0x02) !== 0) return;
    if (this.byQuery.size >= MAX_ENTRIES) this.byQuery.clear();
    this.byQuery.set(msg.toString('latin1', 2), reply);
  }

  /** Forget every reply (the zone changed). */
  clear(): void {
    this.byQuery.clear();
  }
}
