// Fixed-size time windows aligned to the epoch (window i covers [i*w, (i+1)*w)), kept in a map
// by index. Memory is bounded by maxWindows: when the span from the first to the last window
// would exceed it, every pair of neighbours merges and the window size doubles (1 s → 2 s → …),
// so a 24 h soak keeps at most maxWindows windows whatever its length. Indexes stay epoch-
// aligned across doublings (i → floor(i/2)), so late samples still find their window.

export interface Bin<T> {
  create(): T;
  /** Adds `from` into `into`. */
  merge(into: T, from: T): void;
}

export class WindowGrid<T> {
  private cells = new Map<number, T>();
  private lo = Infinity;
  private hi = -Infinity;
  private lastIndex = Number.NaN;
  private lastCell: T | undefined;
  /** How many times the windows were widened. */
  doublings = 0;

  constructor(
    private ms: number,
    readonly maxWindows: number,
    private readonly bin: Bin<T>,
  ) {
    if (!(ms > 0) || !Number.isInteger(ms)) throw new RangeError(`window size must be a positive integer of ms, got ${ms}`);
    if (!(maxWindows >= 2)) throw new RangeError(`maxWindows must be at least 2, got ${maxWindows}`);
  }

  get windowMs(): number {
    return this.ms;
  }

  get size(): number {
    return this.cells.size;
  }

  get empty(): boolean {
    return this.cells.size === 0;
  }

  /** Index range in use (inclusive); NaN when empty. */
  get firstIndex(): number {
    return this.cells.size ? this.lo : Number.NaN;
  }

  get lastIndexInUse(): number {
    return this.cells.size ? this.hi : Number.NaN;
  }

  indexOf(time: number): number {
    return Math.floor(time / this.ms);
  }

  /** The window holding `time`, created (and the grid widened if needed) on first use. */
  at(time: number): T {
    let i = Math.floor(time / this.ms);
    if (i === this.lastIndex && this.lastCell !== undefined) return this.lastCell;
    let cell = this.cells.get(i);
    if (cell === undefined) {
      while (Math.max(this.hi, i) - Math.min(this.lo, i) + 1 > this.maxWindows) {
        this.double();
        i = Math.floor(time / this.ms);
      }
      cell = this.cells.get(i);
      if (cell === undefined) {
        cell = this.bin.create();
        this.cells.set(i, cell);
        if (i < this.lo) this.lo = i;
        if (i > this.hi) this.hi = i;
      }
    }
    this.lastIndex = i;
    this.lastCell = cell;
    return cell;
  }

  get(index: number): T | undefined {
    return this.cells.get(index);
  }

  /** Every window in use, by index (unordered). */
  entries(): IterableIterator<[number, T]> {
    return this.cells.entries();
  }

  /** Widens to `ms` (a power-of-two multiple of the current size) by merging. */
  widenTo(ms: number): void {
    while (this.ms < ms) this.double();
  }

  private double(): void {
    const next = new Map<number, T>();
    for (const [i, cell] of this.cells) {
      const j = Math.floor(i / 2);
      const into = next.get(j);
      if (into === undefined) next.set(j, cell);
      else this.bin.merge(into, cell);
    }
    this.cells = next;
    this.ms *= 2;
    this.doublings++;
    if (next.size) {
      this.lo = Math.floor(this.lo / 2);
      this.hi = Math.floor(this.hi / 2);
    }
    this.lastIndex = Number.NaN;
    this.lastCell = undefined;
  }
}
