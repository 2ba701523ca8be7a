/**
 * A bounded FIFO of lines for one target. When full it refuses the new line (drop newest, as Vector's
 * `when_full: drop_newest`): what is queued stays one unbroken run of the stream, and the start of a burst,
 * where the cause of trouble usually is, survives it. O(1) both ways (a ring).
 */
export class LineQueue<T> {
  private readonly ring: Array<T | undefined>;
  private head = 0;
  private size = 0;

  constructor(readonly capacity: number) {
    this.ring = new Array<T | undefined>(capacity);
  }

  get length(): number {
    return this.size;
  }

  /** False (nothing changes) when full. */
  push(item: T): boolean {
    if (this.size === this.capacity) return false;
    this.ring[(this.head + this.size) % this.capacity] = item;
    this.size++;
    return true;
  }

  /** Takes up to `n` items from the front, oldest first. */
  take(n: number): T[] {
    const count = Math.min(n, this.size);
    const out = new Array<T>(count);
    for (let i = 0; i < count; i++) {
      out[i] = this.ring[this.head] as T;
      this.ring[this.head] = undefined;
      this.head = (this.head + 1) % this.capacity;
    }
    this.size -= count;
    return out;
  }
}
