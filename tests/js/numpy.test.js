/*
 * The numpy arithmetic score.js reproduces, against numpy's own results on awkward numbers
 * (fixtures/numpy.json, written by make_fixtures.py): rint, round, the pairwise sum, interp.
 *
 * Run: node --test tests/js/
 */
"use strict";

const { describe, it } = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");

const core = require(path.resolve(__dirname, "../../relocate/outputs/static/score.js"));
const NUMPY = JSON.parse(fs.readFileSync(path.join(__dirname, "fixtures", "numpy.json"), "utf8"));

/** Every (got, want) pair that differs, bit for bit (Object.is: -0 is not 0). */
function differences(cases, compute) {
  return cases.map((c) => [c, compute(c)]).filter(([c, got]) => !Object.is(got, c[c.length - 1]))
    .map(([c, got]) => ({ case: c, got: got }));
}

describe("numpy's arithmetic", () => {
  it("rint rounds halves to even, as numpy.rint", () => {
    assert.ok(NUMPY.rint.length > 40);
    assert.deepEqual(differences(NUMPY.rint, ([x]) => core.rint(x)), []);
  });

  it("roundHalfEven rounds as numpy.round", () => {
    assert.ok(NUMPY.round.length > 300);
    assert.deepEqual(differences(NUMPY.round, ([x, d]) => core.roundHalfEven(x, d)), []);
  });

  it("numpySum adds a 1-D array as numpy.sum (pairwise)", () => {
    assert.ok(NUMPY.sum.some(([values]) => values.length > 256));
    assert.deepEqual(differences(NUMPY.sum, ([values]) => core.numpySum(values)), []);
  });

  it("numpySum adds a row as numpy's sum(axis=1) of a C-ordered table", () => {
    assert.ok(NUMPY.row_sum.some(([values]) => values.length >= 9));
    assert.deepEqual(differences(NUMPY.row_sum, ([values]) => core.numpySum(values)), []);
  });

  it("the pairwise sum is not the sum in order (the test can tell them apart)", () => {
    const inOrder = (values) => values.reduce((s, x) => s + x, 0.0);
    const telling = NUMPY.sum.concat(NUMPY.row_sum).filter(([v, want]) => inOrder(v) !== want);
    assert.ok(telling.length > 0);
  });

  it("utility is Criterion.utility (numpy.interp on two points)", () => {
    const compute = ([better, full, zero, x]) => core.utility({ better, full, zero }, x);
    assert.deepEqual(differences(NUMPY.utility, compute), []);
  });

  it("utility of a missing value is null", () => {
    const c = { better: "lower", full: 45, zero: 120 };
    for (const x of [null, undefined, NaN]) assert.equal(core.utility(c, x), null);
  });
});
