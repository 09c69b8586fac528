// Interval output prints a clock time before each interval's maps or histograms: bcc's
// `-T` (`06:20:16`), ext4dist's interval runs (`10:19:00:`), syscount (`[09:39:04]`), and
// bpftrace programs that call time() before print(). Rows after such a line belong to that
// interval: t_s is its distance in seconds from the first interval's time.

const CLOCK = /^\[?(\d\d):(\d\d):(\d\d)\]?:?$/;

export class IntervalClock {
  private first: number | null = null;
  /** Seconds since the first printed time; null before any. */
  t_s: number | null = null;
  /** The clock time as printed, for the current interval. */
  wall_time: string | null = null;

  /** Takes a line if it is a clock time (trimmed); true when it was one. */
  tick(text: string): boolean {
    const m = CLOCK.exec(text.trim());
    if (!m) return false;
    const seconds = Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]);
    this.first ??= seconds;
    // Intervals run forward: a time before the first is past midnight.
    this.t_s = (seconds - this.first + 86400) % 86400;
    this.wall_time = `${m[1]}:${m[2]}:${m[3]}`;
    return true;
  }

  /** The columns rows of the current interval carry. */
  get columns(): {t_s: number | null; wall_time: string | null} {
    return {t_s: this.t_s, wall_time: this.wall_time};
  }
}
