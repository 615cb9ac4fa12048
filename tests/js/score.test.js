/*
 * The page's scoring core (relocate/outputs/static/score.js) against relocate.scoring.score:
 * every fixtures/score-*.json holds the page's inputs and Python's results for the same
 * profile (written by make_fixtures.py). Scores, points, utilities and coverage must be the
 * same doubles; order, ranks, exclusions and their reasons the same.
 *
 * Run: node --test tests/js/
 */
"use strict";

const { describe, it } = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const vm = require("node:vm");

const SCORE_JS = path.resolve(__dirname, "../../relocate/outputs/static/score.js");
const FIXTURES = path.join(__dirname, "fixtures");
const core = require(SCORE_JS);

function load(name) {
  return JSON.parse(fs.readFileSync(path.join(FIXTURES, name), "utf8"));
}

const CASES = fs.readdirSync(FIXTURES).filter((f) => /^score-.*\.json$/.test(f)).sort()
  .map(load);

/** The page's result for village i, shaped as the fixture writes Python's. */
function village(result, i) {
  return {
    score: result.score[i],
    rank: result.rank[i],
    excluded: result.excluded[i],
    coverage: result.coverage[i],
    utilities: result.util[i],
    points: result.points[i],
    failed: result.failed[i].map((f) => [f.c.name, f.bound]),
    unchecked: result.unchecked[i].map((c) => c.name),
  };
}

function run(fixture) {
  return core.scoreAll(fixture.page, fixture.weights, fixture.switches);
}

function codes(fixture, indices) {
  return indices.map((i) => fixture.page.villages[i].insee);
}

describe("scoreAll computes what relocate.scoring.score computes", () => {
  it("has every case", () => {
    const names = CASES.map((c) => c.case);
    for (const name of ["basic", "missing", "ties", "all-zero", "many-criteria"]) {
      assert.ok(names.includes(name), name);
    }
  });

  for (const fixture of CASES) {
    describe(fixture.case, () => {
      const result = run(fixture);
      const python = fixture.python;

      it("orders the villages as Python", () => {
        assert.deepEqual(codes(fixture, result.order), python.order);
      });

      it("gives each village Python's score, points, utilities, coverage, rank, reasons", () => {
        fixture.page.villages.forEach((v, i) => {
          // deepStrictEqual compares numbers with Object.is: the same doubles, bit for bit.
          assert.deepEqual(village(result, i), python.villages[v.insee], "village " + v.insee);
        });
      });

      it("counts the ranked villages", () => {
        const ranked = Object.values(python.villages).filter((v) => v.rank !== null).length;
        assert.equal(result.ranked, ranked);
      });

      it("says the share of the profile's weight scored as Python (Ranking.scored_share)", () => {
        const share = core.scoredShare(fixture.page, fixture.weights).share;
        assert.ok(Object.is(share, python.scored_share), share + " != " + python.scored_share);
      });

      it("counts the villages tied at the top as Python (Ranking.top_ties)", () => {
        assert.equal(core.topTies(result), python.top_ties);
      });

      it("ranks from 1, in order, the villages with a score and no exclusion", () => {
        const ranks = result.order.map((i) => result.rank[i]).filter((r) => r !== null);
        assert.deepEqual(ranks, ranks.map((_, k) => k + 1));
      });
    });
  }
});

describe("scoreAll's inputs", () => {
  const basic = CASES.find((c) => c.case === "basic");

  it("defaults to the profile's weights and every constraint applied", () => {
    const all = {};
    for (const c of basic.page.constraints) all[c.name] = true;
    assert.deepEqual(core.scoreAll(basic.page),
      core.scoreAll(basic.page, core.profileWeights(basic.page), all));
  });

  it("keeps the profile's weight of a criterion the weights do not name", () => {
    const reweighted = CASES.find((c) => c.case === "reweighted");
    assert.ok(Object.keys(reweighted.weights).length < reweighted.page.criteria.length);
    const full = Object.assign(core.profileWeights(reweighted.page), reweighted.weights);
    assert.deepEqual(run(reweighted), core.scoreAll(reweighted.page, full));
  });

  it("applies a constraint the switches do not name", () => {
    const off = CASES.find((c) => c.case === "switched-off");
    assert.deepEqual(core.scoreAll(off.page, {}, { population: false }), run(off));
    assert.deepEqual(core.scoreAll(off.page, {}, {}), core.scoreAll(off.page));
  });

  it("changes neither its inputs nor its answer when called again", () => {
    for (const fixture of CASES) {
      const before = JSON.stringify(fixture);
      const first = run(fixture);
      assert.equal(JSON.stringify(fixture), before, fixture.case);
      assert.deepEqual(run(fixture), first, fixture.case);
    }
  });

  it("ranks the same however the villages are listed", () => {
    for (const fixture of CASES) {
      const reversed = Object.assign({}, fixture.page, {
        villages: fixture.page.villages.slice().reverse(),
      });
      const result = core.scoreAll(reversed, fixture.weights, fixture.switches);
      const order = result.order.map((i) => reversed.villages[i].insee);
      assert.deepEqual(order, fixture.python.order, fixture.case);
    }
  });

  it("scores nobody with no criterion", () => {
    const page = Object.assign({}, basic.page, { criteria: [] });
    const result = core.scoreAll(page);
    assert.deepEqual(new Set(result.score), new Set([null]));
    assert.deepEqual(new Set(result.coverage), new Set([0]));
    assert.equal(result.ranked, 0);
  });
});

describe("scoredShare", () => {
  const partly = CASES.find((c) => c.case === "partly-scored");

  it("lists the criteria left out that weigh something, in the profile's order", () => {
    assert.deepEqual(core.scoredShare(partly.page, partly.weights).unscored,
      ["fibre_share_pct", "drive_min_station"]);
  });

  it("follows the sliders: more weight on what is scored, a larger share", () => {
    const before = core.scoredShare(partly.page, partly.weights).share;
    const after = core.scoredShare(partly.page, { drive_min_TLS: 9 }).share;
    assert.ok(after > before);
    assert.equal(core.scoredShare(partly.page, { drive_min_TLS: 0, population: 0,
      townhall_hours_per_week: 0 }).share, 0);
  });

  it("is 1 when everything is scored, 0 when nothing weighs", () => {
    const basic = CASES.find((c) => c.case === "basic");
    assert.equal(core.scoredShare(basic.page).share, 1);
    const zero = CASES.find((c) => c.case === "all-zero");
    assert.equal(core.scoredShare(zero.page, zero.weights).share, 0);
  });
});

describe("sharedRanks", () => {
  it("gives tied villages the first rank of their score, others their own", () => {
    for (const fixture of CASES) {
      const result = run(fixture);
      const shared = core.sharedRanks(result);
      result.order.forEach((i, k) => {
        if (result.rank[i] === null) return assert.equal(shared[i], null);
        const prev = k > 0 ? result.order[k - 1] : null;
        const same = prev !== null && result.rank[prev] !== null &&
          core.roundHalfEven(result.score[prev], 9) === core.roundHalfEven(result.score[i], 9);
        assert.equal(shared[i], same ? shared[prev] : result.rank[i], fixture.case);
      });
    }
    const ties = CASES.find((c) => c.case === "ties");
    const result = run(ties);
    const top = core.topIndices(result, 4).map((i) => core.sharedRanks(result)[i]);
    assert.deepEqual(top, [1, 1, 1, 1]);
  });
});

describe("topIndices", () => {
  it("lists at most n ranked villages, best first", () => {
    for (const fixture of CASES) {
      const result = run(fixture);
      for (const n of [0, 1, 3, 100]) {
        const top = core.topIndices(result, n);
        const ranked = (code) => fixture.python.villages[code].rank !== null;
        const want = fixture.python.order.filter(ranked).slice(0, n);
        assert.deepEqual(codes(fixture, top), want, fixture.case + " top " + n);
      }
    }
  });
});

describe("the module", () => {
  it("exports a frozen set of functions under Node", () => {
    assert.ok(Object.isFrozen(core));
    assert.deepEqual(Object.keys(core).sort(), [
      "isMissing", "numpySum", "profileWeights", "rint", "roundHalfEven", "scoreAll",
      "scoredShare", "sharedRanks", "topIndices", "topTies", "utility",
    ]);
  });

  it("defines the global relocateScore, and nothing else, in a browser", () => {
    const window = {};
    window.self = window;
    const context = vm.createContext(window);
    const before = new Set(Object.keys(context));
    vm.runInContext(fs.readFileSync(SCORE_JS, "utf8"), context, { filename: "score.js" });
    const added = Object.keys(context).filter((k) => !before.has(k));
    assert.deepEqual(added, ["relocateScore"]);
    assert.deepEqual(Object.keys(context.relocateScore), Object.keys(core));
    const basic = CASES.find((c) => c.case === "basic");
    assert.deepEqual(JSON.parse(JSON.stringify(context.relocateScore.scoreAll(basic.page).score)),
      basic.page.villages.map((v) => basic.python.villages[v.insee].score));
  });
});
