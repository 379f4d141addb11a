// How many rounds the publish figure runs: ten more at a time until its bound holds, up to the most.
import t from 'tap';
import { nextReps } from '../../../src/bench/measure-ports.js';
import { pairedInterval } from '../../../src/bench/stats.js';

/** n paired ratios spread evenly over [centre - half, centre + half]. */
const spread = (n: number, centre: number, half: number) => Array.from({ length: n }, (_, i) => centre - half + (2 * half * i) / (n - 1));

t.test('nextReps: an interval that holds the bound stops the rounds; any other adds ten, up to the most', async (t) => {
  const wide = spread(11, 1.0, 0.05);
  const q = pairedInterval(wide);
  t.ok(q.lo <= 1.0 && q.hi > 1.03, `the wide case reaches 1.0 but ends beyond 1.03 (${q.lo.toFixed(3)}-${q.hi.toFixed(3)})`);
  t.equal(nextReps(11, 61, wide), 21, 'reaching 1.0 but ending beyond 1.03: ten more');
  t.equal(nextReps(11, 61, spread(11, 1.0, 0.01)), 11, 'reaching 1.0, ending by 1.03: holds, no more rounds');
  t.equal(nextReps(11, 61, spread(11, 0.96, 0.05)), 11, 'wholly by 1.03 and reaching 1.0 (a faster big host): holds');
  t.equal(nextReps(11, 61, spread(11, 1.08, 0.05)), 21, 'wholly above 1.0: not final before the most, ten more');
  t.equal(nextReps(51, 61, wide), 61);
  t.equal(nextReps(55, 61, wide), 61, 'never past the most');
  t.equal(nextReps(61, 61, wide), 61, 'at the most: done, whatever the interval (the figure then says OVER)');
  t.equal(nextReps(11, 11, wide), 11, '--quick: the most is the fewest');
});
