// Hybrid logical clock, the same encoding as sync/hlc.py:
// "WWWWWWWWWWWWW:CCCCC:node" (13-digit wall ms, 5-digit counter, node = device id).
const MAX_COUNTER = 99999;

export function parse(text) {
  const [wall, counter, ...node] = String(text).split(":");
  return { wall: Number(wall), counter: Number(counter), node: node.join(":") };
}

export function encode(c) {
  return `${String(c.wall).padStart(13, "0")}:${String(c.counter).padStart(5, "0")}:${c.node}`;
}

export function wallOf(text) {
  return Number(String(text).slice(0, 13));
}

export class Clock {
  constructor(node, last) {
    this.node = node;
    const p = last ? parse(last) : null;
    this.wall = p ? p.wall : 0;
    this.counter = p ? p.counter : 0;
  }

  bump() {
    if (this.counter >= MAX_COUNTER) {
      this.wall += 1;
      this.counter = 0;
    } else this.counter += 1;
  }

  /** The clock for a new local event. */
  tick(now = Date.now()) {
    if (now > this.wall) {
      this.wall = now;
      this.counter = 0;
    } else this.bump();
    return this.toString();
  }

  /** Advance past a remote clock (the server's HLC in every response). */
  receive(remoteText, now = Date.now()) {
    if (!remoteText) return;
    const r = parse(remoteText);
    const wall = Math.max(this.wall, r.wall, now);
    if (wall === this.wall && wall === r.wall) this.counter = Math.max(this.counter, r.counter) + 1;
    else if (wall === this.wall) this.counter += 1;
    else if (wall === r.wall) this.counter = r.counter + 1;
    else this.counter = 0;
    this.wall = wall;
    if (this.counter > MAX_COUNTER) {
      this.wall += 1;
      this.counter = 0;
    }
  }

  toString() {
    return encode({ wall: this.wall, counter: this.counter, node: this.node });
  }
}
