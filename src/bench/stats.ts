// The bench's arithmetic and output: medians, each figure judged against its bound, the figure
// lines, the Markdown table and the exit code of `--check`. Pure: no process, no clock.

/** The median of a list of samples (the mean of the two middle ones for an even count). */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) throw new Error('median of no samples');
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * The median of paired differences with a distribution-free interval of at least 95 % around it
 * (the sign test's: order statistics k and n-k+1, k the largest with P(Bin(n, 1/2) < k) <= 2.5 %);
 * the whole range up to 8 samples (below 6 not even that reaches 95 %).
 */
export function pairedInterval(diffs: readonly number[]): { median: number; lo: number; hi: number } {
  const s = [...diffs].sort((a, b) => a - b);
  const n = s.length;
  // P(X <= j) for X ~ Bin(n, 1/2), summed term by term.
  let k = 1, term = 0.5 ** n, below = term; // below: P(X <= k - 1)
  while (k < n / 2 && below + term * ((n - k + 1) / k) <= 0.025) {
    term *= (n - k + 1) / k;
    below += term;
    k++;
  }
  return { median: median(s), lo: s[k - 1]!, hi: s[n - k]! };
}

/**
 * A bound on nslab's value, or on its ratio to the baseline measured in the same run.
 * `ratio-min`: a rate that must reach `min` times the baseline's (queries per second).
 * `ratio` with a `tolerance`: for two costs that should be equal ("no longer than"), whose true
 * ratio is at or a hair above 1.0 when nslab does it right, so that a median of noisy rounds
 * lands above 1.0 about every other run. An equivalence margin, judged on the ratio's 95 %
 * interval from paired rounds (`Figure.interval`): it must reach `max` (the run cannot tell the
 * ratio from it) and end by `max + tolerance` (the ratio is shown below that). A growth of up to
 * about half the tolerance can pass unseen. Without an interval: over.
 */
export type Bound = { on: 'ratio'; max: number; tolerance?: number } | { on: 'value'; max: number } | { on: 'ratio-min'; min: number };

/** One measured figure: nslab's value, the baseline (when there is one) and the bound it is held to. */
export interface Figure {
  name: string;
  unit: 'ms' | 'MB' | 'q/s';
  nslab: number;
  baseline?: number;
  bound?: Bound;
  /**
   * From rounds that time nslab and the baseline in pairs: the median of the rounds' ratios (the
   * figure's ratio then) and its distribution-free 95 % interval.
   */
  interval?: { median: number; lo: number; hi: number };
}

export interface Judged extends Figure {
  ratio?: number;
  /** Within the bound (true when there is no bound: the figure is printed for information). */
  ok: boolean;
}

/** Whether a ratio's 95 % interval holds a `ratio` bound with a tolerance: it reaches `max` and ends by `max + tolerance`. */
export const withinMargin = (b: { max: number; tolerance: number }, i: { lo: number; hi: number }) => i.lo <= b.max && i.hi <= b.max + b.tolerance;

/** A figure with its ratio to the baseline and whether it holds its bound. */
export function judge(f: Figure): Judged {
  const ratio = f.interval ? f.interval.median : f.baseline !== undefined && f.baseline > 0 ? f.nslab / f.baseline : undefined;
  let ok = true;
  if (f.bound?.on === 'value') ok = f.nslab <= f.bound.max;
  else if (f.bound?.on === 'ratio' && f.bound.tolerance !== undefined) ok = f.interval !== undefined && withinMargin({ max: f.bound.max, tolerance: f.bound.tolerance }, f.interval);
  else if (f.bound?.on === 'ratio') ok = ratio !== undefined && ratio <= f.bound.max;
  else if (f.bound?.on === 'ratio-min') ok = ratio !== undefined && ratio >= f.bound.min;
  return { ...f, ...(ratio !== undefined ? { ratio } : {}), ok };
}

const num = (x: number | undefined, unit: string) => (x === undefined ? '-' : `${x < 10 ? x.toFixed(2) : x.toFixed(1)} ${unit}`);

/** The four printed cells of a judged figure: nslab, baseline, ratio, bound. */
export function cells(j: Judged): [string, string, string, string] {
  const lim = j.bound && (j.bound.on === 'ratio-min' ? j.bound.min : j.bound.max);
  const max = lim !== undefined && (Number.isInteger(lim) ? lim.toFixed(1) : String(lim));
  const bound = !j.bound ? '(info)'
    : j.bound.on === 'ratio' && j.bound.tolerance !== undefined ? `95 % interval reaches ${max}, ends <= ${+(j.bound.max + j.bound.tolerance).toFixed(6)}`
    : j.bound.on === 'ratio' ? `ratio <= ${max}` : j.bound.on === 'ratio-min' ? `ratio >= ${max}` : `<= ${j.bound.max} ${j.unit}`;
  // Beside an interval of 3 decimals, the ratio with as many: "1.00x (95 %: 1.004-1.020)" would read as a contradiction.
  const ratio = j.ratio === undefined ? '-' : j.interval ? `${j.ratio.toFixed(3)}x (95 %: ${j.interval.lo.toFixed(3)}-${j.interval.hi.toFixed(3)})` : `${j.ratio.toFixed(2)}x`;
  return [num(j.nslab, j.unit), num(j.baseline, j.unit), ratio, bound];
}

/** One line per figure: name, nslab, baseline, ratio, bound, and ok / OVER. */
export function figureLine(j: Judged): string {
  const [n, b, r, bound] = cells(j);
  return `${j.name.padEnd(31)} nslab ${n.padStart(10)}   baseline ${b.padStart(10)}   ratio ${r.padStart(6)}   ${bound.padEnd(14)} ${j.ok ? 'ok' : 'OVER'}`;
}

/** The figures as the README's performance table (columns: figure, nslab, baseline, ratio, bound; "(OVER)" after a bound not met). */
export function markdownTable(js: readonly Judged[]): string {
  const rows = js.map((j) => `| ${j.name} | ${cells(j).join(' | ')}${j.ok ? '' : ' (OVER)'} |`);
  return ['| figure | nslab | baseline | ratio | bound |', '|---|---:|---:|---:|---|', ...rows].join('\n');
}

/** The bench's exit code: 1 only under `--check` with a figure over its bound, else 0. */
export function exitCode(js: readonly Judged[], check: boolean): number {
  return check && js.some((j) => !j.ok) ? 1 : 0;
}
