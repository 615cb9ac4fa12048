/*
 * score.js: the pure scoring core of the map page (no DOM, no Leaflet, no state).
 *
 * It scores, excludes and ranks villages exactly as relocate/scoring/score.py does, float
 * operation by float operation, so the page's ranking is Python's bit for bit: numpy.interp
 * for the utilities, numpy's pairwise sum, numpy.round(score, 9) then INSEE code for ties.
 * tests/js/ checks it with `node --test` against scores Python computed (tests/js/fixtures/).
 *
 * UMD: `module.exports` under Node, the global `relocateScore` in the browser.
 */
(function (root, factory) {
  "use strict";
  const core = factory();
  if (typeof module === "object" && module.exports) module.exports = core;
  else root.relocateScore = core;
})(typeof self !== "undefined" ? self : this, function () {
  "use strict";

  /**
   * A criterion as DATA gives it: its column in each village's values, its weight and curve.
   * @typedef {Object} Criterion
   * @property {string} name
   * @property {number} col  index of its value in each village's `v`
   * @property {number} weight
   * @property {string} better  "lower" or "higher"
   * @property {number} full  value at and beyond which the utility is 1
   * @property {number} zero  value at and beyond which the utility is 0
   */
  /**
   * A hard constraint: a village outside [min, max] (either may be null) is excluded.
   * @typedef {Object} Constraint
   * @property {string} name
   * @property {number} col
   * @property {?number} min
   * @property {?number} max
   */
  /**
   * What is scored: the page's DATA, or any object with these three lists; each village
   * has its INSEE code (`insee`) and its values (`v`, null where missing).
   * @typedef {Object} Inputs
   * @property {Criterion[]} criteria
   * @property {Constraint[]} constraints
   * @property {Array<Object>} villages
   */
  /**
   * A constraint a village fails: the constraint (`c`), the village's value (`x`), and the
   * bound crossed (`bound`: "min" or "max").
   * @typedef {Object} Failure
   */
  /**
   * Everything computed for the villages, indexed like `villages` (i), criteria like `criteria`
   * (j). Missing numbers are null (Python's NaN).
   * @typedef {Object} Result
   * @property {Array<Array<?number>>} util  utility in [0, 1] of criterion j for village i
   * @property {Array<Array<?number>>} points  points criterion j gives village i (they add up)
   * @property {Array<?number>} score  0-100, null if no weighted criterion has data
   * @property {number[]} coverage  share of the total weight that had data, 0-1
   * @property {boolean[]} excluded  fails an applied constraint
   * @property {Failure[][]} failed  the constraints failed, in constraint order, min then max
   * @property {Constraint[][]} unchecked  applied constraints with no value for the village
   * @property {Array<?number>} rank  1 = best; null for the excluded and the unscored
   * @property {number[]} order  village indices, best first (excluded last, then no score)
   * @property {number} ranked  how many villages have a rank
   */

  /** 2**52: from there on every double is an integer. */
  const INTEGRAL = 4503599627370496;

  /**
   * numpy.rint: round to the nearest integer, halves to even.
   * @param {number} y
   * @returns {number}
   */
  function rint(y) {
    if (y === 0 || !Number.isFinite(y) || Math.abs(y) >= INTEGRAL) return y; // -0 stays -0
    const a = Math.abs(y);
    const f = Math.floor(a);
    const d = a - f; // exact (Sterbenz) for a >= 1, trivially for a < 1
    let r = f;
    if (d > 0.5 || (d === 0.5 && f % 2 === 1)) r = f + 1;
    return y < 0 ? -r : r;
  }

  /**
   * numpy.round(x, decimals) for decimals >= 0: rint(x * 10**decimals) / 10**decimals.
   * @param {number} x
   * @param {number} decimals
   * @returns {number}
   */
  function roundHalfEven(x, decimals) {
    let scale = 1;
    for (let i = 0; i < decimals; i++) scale *= 10; // exact, as numpy builds it
    return rint(x * scale) / scale;
  }

  /**
   * True for a value DATA leaves out (null) or a NaN.
   * @param {*} x
   * @returns {boolean}
   */
  function isMissing(x) {
    return x === null || x === undefined || Number.isNaN(x);
  }

  /**
   * numpy's sum of a float64 row: pairwise, with 8 accumulators from 8 values on, and the
   * identity first (0 + the pairwise sum), as numpy.add.reduce computes it.
   * @param {number[]} a
   * @returns {number}
   */
  function numpySum(a) {
    function pairwise(start, n) {
      if (n < 8) {
        let res = 0.0;
        for (let i = 0; i < n; i++) res += a[start + i];
        return res;
      }
      if (n <= 128) {
        const r = a.slice(start, start + 8);
        let i = 8;
        for (; i < n - (n % 8); i += 8) {
          for (let j = 0; j < 8; j++) r[j] += a[start + i + j];
        }
        let res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for (; i < n; i++) res += a[start + i];
        return res;
      }
      let n2 = Math.floor(n / 2);
      n2 -= n2 % 8;
      return pairwise(start, n2) + pairwise(start + n2, n - n2);
    }
    return 0.0 + pairwise(0, a.length);
  }

  /**
   * numpy.interp(x, xs, us) for one value, step by step as numpy computes it: flat
   * beyond the first and last points, exact at a point, else slope * (x - xs[j]) + us[j]
   * with the slope of the segment x falls in (a profile's curve through points).
   * @param {number[]} xs increasing values
   * @param {number[]} us utilities at them
   * @param {number} x
   * @returns {number}
   */
  function interpCurve(xs, us, x) {
    const n = xs.length;
    if (x < xs[0]) return us[0];
    if (x >= xs[n - 1]) return us[n - 1];
    let j = 0;
    while (j + 1 < n && xs[j + 1] <= x) j++;
    if (x === xs[j]) return us[j];
    const slope = (us[j + 1] - us[j]) / (xs[j + 1] - xs[j]);
    return slope * (x - xs[j]) + us[j];
  }

  /**
   * Utility in [0, 1] of a raw value for a criterion (null for a missing value): linear
   * between `full` (1) and `zero` (0), flat beyond. numpy.interp on two points computes
   * slope * (x - xp0) + fp0, with the slope first; so does this.
   * @param {Criterion} c
   * @param {?number} x
   * @returns {?number}
   */
  function utility(c, x) {
    if (isMissing(x)) return null;
    if (c.curve) return interpCurve(c.curve[0], c.curve[1], x);
    const lower = c.better === "lower";
    const xp0 = lower ? c.full : c.zero;
    const xp1 = lower ? c.zero : c.full;
    const fp0 = lower ? 1.0 : 0.0;
    const fp1 = lower ? 0.0 : 1.0;
    if (x <= xp0) return fp0;
    if (x >= xp1) return fp1;
    const slope = (fp1 - fp0) / (xp1 - xp0);
    return slope * (x - xp0) + fp0;
  }

  /**
   * The weights DATA starts from: each criterion's own.
   * @param {Inputs} data
   * @returns {Object<string, number>}
   */
  function profileWeights(data) {
    const out = {};
    for (const c of data.criteria) out[c.name] = c.weight;
    return out;
  }

  function own(object, key) {
    return Object.prototype.hasOwnProperty.call(object, key);
  }

  function hasBound(b) {
    return b !== null && b !== undefined;
  }

  /**
   * Score, exclude and rank every village, as relocate.scoring.score does.
   *
   * Each criterion's utility weighs in the score over the criteria the village has data for
   * (coverage says how much weight that was); a missing value never excludes; villages that
   * fail an applied constraint rank after all others. Ties break by INSEE code.
   * @param {Inputs} data
   * @param {Object<string, number>} [weights] weight by criterion name (a criterion not named
   *   keeps its profile weight)
   * @param {Object<string, boolean>} [switches] applied? by constraint name (a constraint not
   *   named is applied)
   * @returns {Result}
   */
  function scoreAll(data, weights, switches) {
    const crit = data.criteria;
    const w = crit.map((c) => (weights && own(weights, c.name) ? weights[c.name] : c.weight));
    const cons = data.constraints.filter((c) => !(switches && own(switches, c.name)) ||
      Boolean(switches[c.name]));
    const totalWeight = numpySum(w);
    const n = data.villages.length;
    const out = {
      util: [], points: [], score: [], coverage: [], excluded: [], failed: [], unchecked: [],
      rank: new Array(n).fill(null), order: [], ranked: 0,
    };
    const key = [];
    for (let i = 0; i < n; i++) {
      const row = data.villages[i].v;
      const u = crit.map((c) => utility(c, row[c.col]));
      const wd = numpySum(u.map((x, j) => (x === null ? 0.0 : w[j])));
      // 100.0 * u * w / wd, left to right as numpy evaluates it.
      const pts = u.map((x, j) => (x === null || !(wd > 0) ? null : (100.0 * x * w[j]) / wd));
      const score = wd > 0 ? numpySum(pts.map((p) => (p === null ? 0.0 : p))) : null;
      const failed = [];
      const unchecked = [];
      for (const c of cons) {
        const x = row[c.col];
        if (isMissing(x)) {
          unchecked.push(c);
          continue;
        }
        if (hasBound(c.min) && x < c.min) failed.push({ c: c, x: x, bound: "min" });
        if (hasBound(c.max) && x > c.max) failed.push({ c: c, x: x, bound: "max" });
      }
      out.util.push(u);
      out.points.push(pts);
      out.score.push(score);
      out.coverage.push(totalWeight > 0 ? wd / totalWeight : 0);
      out.excluded.push(failed.length > 0);
      out.failed.push(failed);
      out.unchecked.push(unchecked);
      key.push(score === null ? Infinity : -roundHalfEven(score, 9));
    }
    // numpy.lexsort((codes, key, excluded)): not excluded first, then -round(score, 9) with
    // no score last, then INSEE code.
    const order = Array.from({ length: n }, (_, i) => i);
    order.sort((a, b) => {
      if (out.excluded[a] !== out.excluded[b]) return out.excluded[a] ? 1 : -1;
      if (key[a] !== key[b]) return key[a] < key[b] ? -1 : 1;
      const ca = data.villages[a].insee;
      const cb = data.villages[b].insee;
      return ca < cb ? -1 : ca > cb ? 1 : 0;
    });
    for (const i of order) {
      if (!out.excluded[i] && out.score[i] !== null) out.rank[i] = ++out.ranked;
    }
    out.order = order;
    return out;
  }

  /**
   * Indices of the best ranked villages, best first, at most n.
   * @param {Result} result
   * @param {number} n
   * @returns {number[]}
   */
  function topIndices(result, n) {
    const out = [];
    for (const i of result.order) {
      if (out.length >= n) break;
      if (result.rank[i] !== null) out.push(i);
    }
    return out;
  }

  /**
   * How much of the profile's weight is scored, as Ranking.scored_share says it: the weights
   * of the criteria the page scores (the sliders'), over those and the weights of the
   * profile's criteria that cannot be scored here (DATA.unavailable, with their `weight`),
   * added in the profile's order (DATA.criteria_order) as Python adds them.
   * @param {Inputs} data  with `unavailable` ({name, weight}) and `criteria_order`
   * @param {Object<string, number>} [weights] as for scoreAll
   * @returns {Object} `share` in [0, 1] (0 when no weight), and `unscored`: the criteria left
   *   out that weigh something, in the profile's order
   */
  function scoredShare(data, weights) {
    const scored = {};
    for (const c of data.criteria) {
      scored[c.name] = weights && own(weights, c.name) ? weights[c.name] : c.weight;
    }
    const left = {};
    for (const u of data.unavailable || []) {
      if (u.weight !== null && u.weight !== undefined) left[u.name] = u.weight;
    }
    const order = data.criteria_order ||
      data.criteria.map((c) => c.name).concat(Object.keys(left));
    let total = 0;
    let part = 0;
    const unscored = [];
    for (const name of order) {
      if (own(scored, name)) {
        total += scored[name];
        part += scored[name];
      } else if (own(left, name)) {
        total += left[name];
        if (left[name] > 0) unscored.push(name);
      }
    }
    return { share: total > 0 ? part / total : 0.0, unscored: unscored };
  }

  /**
   * How many ranked villages share the best score (Ranking.top_ties: scores rounded to 9
   * decimals, as the ranking compares them); 0 when none is ranked.
   * @param {Result} result
   * @returns {number}
   */
  function topTies(result) {
    let best = null;
    let n = 0;
    for (const i of result.order) {
      if (result.rank[i] === null) continue;
      const key = roundHalfEven(result.score[i], 9);
      if (best === null) best = key;
      if (key !== best) break;
      n++;
    }
    return n;
  }

  /**
   * The rank to show each village, equal scores sharing one (1, 1, 1, 4...): the first rank
   * of the villages with its score rounded to 9 decimals. null where rank is null.
   * @param {Result} result
   * @returns {Array<?number>}
   */
  function sharedRanks(result) {
    const out = result.rank.map(() => null);
    let key = null;
    let first = null;
    for (const i of result.order) {
      if (result.rank[i] === null) continue;
      const k = roundHalfEven(result.score[i], 9);
      if (k !== key) {
        key = k;
        first = result.rank[i];
      }
      out[i] = first;
    }
    return out;
  }

  return Object.freeze({
    rint: rint,
    roundHalfEven: roundHalfEven,
    isMissing: isMissing,
    numpySum: numpySum,
    utility: utility,
    profileWeights: profileWeights,
    scoreAll: scoreAll,
    topIndices: topIndices,
    scoredShare: scoredShare,
    topTies: topTies,
    sharedRanks: sharedRanks,
  });
});
