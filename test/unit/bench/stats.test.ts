// The bench's arithmetic and output: medians, ratios judged against bounds, lines, table, exit code.
import t from 'tap';
import { cells, exitCode, figureLine, judge, markdownTable, median, pairedInterval } from '../../../src/bench/stats.js';

t.test('median: the middle sample, or the mean of the two middle ones', async (t) => {
  t.equal(median([5]), 5);
  t.equal(median([9, 1, 5]), 5, 'unsorted input');
  t.equal(median([4, 1, 3, 2]), 2.5, 'even count');
  t.equal(median([1, 1, 100, 1, 100]), 1, 'outliers do not move it');
  const xs = [3, 1, 2];
  median(xs);
  t.same(xs, [3, 1, 2], 'the samples are left as they were');
  t.throws(() => median([]), /no samples/);
});

t.test('judge: ratio to the baseline, held to a ratio bound or a value bound', async (t) => {
  const up = { name: 'up 100 containers', unit: 'ms' as const, nslab: 300, baseline: 400, bound: { on: 'ratio' as const, max: 1.0 } };
  t.match(judge(up), { ratio: 0.75, ok: true });
  t.match(judge({ ...up, nslab: 400 }), { ratio: 1, ok: true }, 'equal to the bound holds');
  t.match(judge({ ...up, nslab: 401 }), { ok: false });
  const create = { name: 'nslabd container create', unit: 'ms' as const, nslab: 12, baseline: 30, bound: { on: 'value' as const, max: 15 } };
  t.match(judge(create), { ok: true, ratio: 0.4 }, 'a value bound ignores the ratio');
  t.match(judge({ ...create, nslab: 16, baseline: 100 }), { ok: false }, 'over the value, whatever the ratio');
  t.match(judge({ name: 'remove', unit: 'ms', nslab: 1e6 }), { ok: true }, 'no bound: information only');
  t.notOk('ratio' in judge({ name: 'rss', unit: 'MB', nslab: 50 }), 'no baseline, no ratio');
  t.match(judge({ ...up, baseline: 0 }), { ok: false }, 'a ratio bound without a usable baseline does not hold');
});

t.test('judge: a ratio bound with a tolerance is held on the ratio\'s 95 % interval, not its median', async (t) => {
  const pub = { name: 'publish', unit: 'ms' as const, nslab: 351.8, baseline: 345.7, bound: { on: 'ratio' as const, max: 1.0, tolerance: 0.03 } };
  t.match(judge({ ...pub, interval: { median: 1.004, lo: 0.996, hi: 1.015 } }), { ok: true, ratio: 1.004 }, 'a median above 1.0 that the run cannot tell from 1.0 holds');
  t.match(judge({ ...pub, nslab: 340, interval: { median: 0.99, lo: 0.98, hi: 1.0 } }), { ok: true });
  t.match(judge({ ...pub, interval: { median: 1.01, lo: 1.004, hi: 1.02 } }), { ok: false }, 'an interval wholly above 1.0: longer, told');
  t.match(judge({ ...pub, nslab: 345, interval: { median: 1.0, lo: 0.97, hi: 1.04 } }), { ok: false }, 'too wide to have told a 3 % growth: not shown, over');
  t.match(judge({ ...pub, nslab: 300 }), { ok: false }, 'no interval to judge: over, whatever the median');
  t.match(judge({ ...pub, bound: { on: 'ratio', max: 1.0 }, interval: { median: 1.002, lo: 0.99, hi: 1.01 } }), { ok: false, ratio: 1.002 }, 'without a tolerance the rounds\' median ratio decides, whatever the interval');
});

t.test('a figure line names the figure and shows nslab, baseline, ratio, bound and ok / OVER', async (t) => {
  const line = figureLine(judge({ name: 'CLI start-up (container ls)', unit: 'ms', nslab: 120, baseline: 80, bound: { on: 'ratio', max: 1.6 } }));
  t.match(line, /^CLI start-up \(container ls\)\s+nslab\s+120\.0 ms\s+baseline\s+80\.0 ms\s+ratio\s+1\.50x\s+ratio <= 1\.6\s+ok$/);
  t.match(figureLine(judge({ name: 'rss', unit: 'MB', nslab: 120.4, bound: { on: 'value', max: 100 } })), /nslab\s+120\.4 MB\s+baseline\s+-\s+ratio\s+-\s+<= 100 MB\s+OVER$/);
  t.same(cells(judge({ name: 'x', unit: 'ms', nslab: 2.345, baseline: 4, bound: { on: 'ratio', max: 1 } })), ['2.35 ms', '4.00 ms', '0.59x', 'ratio <= 1.0']);
  t.same(cells(judge({ name: 'x', unit: 'ms', nslab: 351.8, baseline: 345.7, bound: { on: 'ratio', max: 1, tolerance: 0.03 }, interval: { median: 1.0061, lo: 0.9964, hi: 1.0151 } })),
    ['351.8 ms', '345.7 ms', '1.006x (95 %: 0.996-1.015)', '95 % interval reaches 1.0, ends <= 1.03'], 'the rounds\' median ratio with its interval, both to 3 decimals, the rule as the bound');
  t.equal(cells(judge({ name: 'x', unit: 'ms', nslab: 1, bound: { on: 'ratio', max: 1, tolerance: 0.025 }, interval: { median: 1, lo: 1, hi: 1 } }))[3], '95 % interval reaches 1.0, ends <= 1.025', 'the end of the margin as given, not rounded');
});

t.test('the Markdown table has the README columns and one row per figure', async (t) => {
  const md = markdownTable([judge({ name: 'up 100 containers', unit: 'ms', nslab: 300, baseline: 400, bound: { on: 'ratio', max: 1 } }),
    judge({ name: 'remove', unit: 'ms', nslab: 50 }), judge({ name: 'down', unit: 'ms', nslab: 600, baseline: 100, bound: { on: 'ratio', max: 1 } })]).split('\n');
  t.equal(md[0], '| figure | nslab | baseline | ratio | bound |');
  t.match(md[1], /^\|---\|/);
  t.equal(md[2], '| up 100 containers | 300.0 ms | 400.0 ms | 0.75x | ratio <= 1.0 |');
  t.equal(md[3], '| remove | 50.0 ms | - | - | (info) |');
  t.equal(md[4], '| down | 600.0 ms | 100.0 ms | 6.00x | ratio <= 1.0 (OVER) |', 'a bound not met is marked');
  t.equal(md.length, 5);
});

t.test('exit code: 1 only under --check with a figure over its bound', async (t) => {
  const ok = judge({ name: 'a', unit: 'ms', nslab: 1, bound: { on: 'value', max: 2 } });
  const over = judge({ name: 'b', unit: 'ms', nslab: 3, bound: { on: 'value', max: 2 } });
  t.equal(exitCode([ok, over], true), 1);
  t.equal(exitCode([ok, over], false), 0, 'without --check, 0 whatever the figures');
  t.equal(exitCode([ok], true), 0);
  t.equal(exitCode([], true), 0);
});

t.test('pairedInterval: the median of the differences and the sign test\'s 95 % interval', async (t) => {
  const ramp = (n: number) => Array.from({ length: n }, (_, i) => n - i); // n..1, unsorted on purpose
  t.same(pairedInterval(ramp(11)), { median: 6, lo: 2, hi: 10 }, 'n = 11: the 2nd and the 10th (98.8 %)');
  t.same(pairedInterval(ramp(21)), { median: 11, lo: 6, hi: 16 }, 'n = 21: the 6th and the 16th (97.3 %)');
  t.same(pairedInterval(ramp(8)), { median: 4.5, lo: 1, hi: 8 }, 'n = 8: the whole range');
  t.same(pairedInterval([-3, 1, 2]), { median: 1, lo: -3, hi: 2 });
  const i = pairedInterval([-2.5, 4, 1.5, -1, 0.5, 3, -0.5, 2, 1, -1.5, 0]);
  t.ok(i.lo < 0 && i.hi > 0, 'differences around zero: an interval holding zero');
});
