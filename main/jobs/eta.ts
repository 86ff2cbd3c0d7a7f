/**
 * The remaining time of a job from its rate of progress, said only once that rate has settled: a first tick, or a job
 * whose latest pace differs from the pace just before it (a slow phase after a fast one), gives no estimate rather
 * than a wrong one. The pace is measured from the first progress report, not from the start: starting the compute process
 * and loading a model take no share of the fraction and would make every early estimate too long.
 */

/** Reports needed, and time they must span, before a rate counts as measured. */
const MIN_REPORTS = 4;
const MIN_SPAN_MS = 2000;
/**
 * The rate over the latest quarter of the reports' span may differ from the rate over the latest half by this factor
 * at most; the estimate then uses the latest half's.
 */
const SETTLED_RATIO = 1.5;

interface Report {
  atMs: number;
  fraction: number;
}

export class EtaEstimator {
  private readonly reports: Report[] = [];

  /** Records a progress report and answers the remaining seconds, or null while the rate is not settled. */
  observe(fraction: number, atMs: number): number | null {
    if (fraction >= 1) return 0;
    const last = this.reports.at(-1);
    if (last === undefined || fraction > last.fraction) this.reports.push({ atMs, fraction });
    return this.estimate();
  }

  private estimate(): number | null {
    const first = this.reports[0];
    const last = this.reports.at(-1);
    if (first === undefined || last === undefined || this.reports.length < MIN_REPORTS) return null;
    const span = last.atMs - first.atMs;
    if (span < MIN_SPAN_MS) return null;
    const lastHalf = this.rateSince(last.atMs - span / 2);
    const lastQuarter = this.rateSince(last.atMs - span / 4);
    if (!(lastHalf > 0 && lastQuarter > 0)) return null;
    if (Math.max(lastHalf / lastQuarter, lastQuarter / lastHalf) > SETTLED_RATIO) return null;
    return (1 - last.fraction) / lastHalf / 1000;
  }

  /** Fraction per millisecond from the first report at or after `fromMs` (at least the one before the last). */
  private rateSince(fromMs: number): number {
    const lastIndex = this.reports.length - 1;
    const found = this.reports.findIndex((report) => report.atMs >= fromMs);
    const from = this.reports[Math.min(found, lastIndex - 1)]!;
    const to = this.reports[lastIndex]!;
    return (to.fraction - from.fraction) / (to.atMs - from.atMs);
  }
}
