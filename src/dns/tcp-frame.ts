// DNS over TCP's framing (RFC 1035 4.2.2): two length bytes before each message, several
// messages per connection, split across reads as TCP pleases.

/** `msg` as it goes on the wire: its length in two bytes, then itself. */
export function framed(msg: Buffer): Buffer {
  const b = Buffer.alloc(2 + msg.length);
  b.writeUInt16BE(msg.length);
  msg.copy(b, 2);
  return b;
}

/** The whole messages at the front of `buf`, and what is left of a message not complete yet. */
export function unframe(buf: Buffer): { messages: Buffer[]; rest: Buffer } {
  const messages: Buffer[] = [];
  let rest = buf;
  while (rest.length >= 2 && rest.length >= 2 + rest.readUInt16BE(0)) {
    const n = rest.readUInt16BE(0);
    messages.push(rest.subarray(2, 2 + n));
    rest = rest.subarray(2 + n);
  }
  return { messages, rest };
}
