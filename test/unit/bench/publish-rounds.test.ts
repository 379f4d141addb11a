// When the publish figure runs ten more rounds: its paired ratios' interval neither above 1.0 nor narrow enough.
import t from 'tap';
import { PUBLISH_TOLERANCE, undecided } from '../../../src/bench/measure-ports.js';

/** n paired ratios spread evenly over [centre - spread, centre + spread]. */
const spread = (n: number, centre: number, half: number) => Array.from({ length: n }, (_, i) => centre - half + (2 * half * i) / (n - 1));

t.test('undecided: wide intervals that reach 1.0 run more rounds; narrow ones and ones above 1.0 stop', async (t) => {
  t.ok(undecided([1, 1, 1, 1, 1]), 'below 6 rounds there is no 95 % interval');
  t.ok(undecided(spread(11, 1.0, 0.05)), 'reaching 1.0, ~0.07 wide: more rounds');
  t.notOk(undecided(spread(11, 1.0, 0.01)), 'reaching 1.0 and narrower than the tolerance: decided');
  t.notOk(undecided(spread(11, 1.08, 0.05)), 'wholly above 1.0 however wide: decided (over)');
  t.ok(undecided(spread(11, 0.96, 0.05)), 'below 1.0 but wide: more rounds (a 3 % growth would not have shown)');
  t.equal(PUBLISH_TOLERANCE, 0.03);
});
