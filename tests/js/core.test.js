/*
 * The page's pure helpers (relocate/outputs/static/core.js): search, value classes, the
 * address, the profile as TOML. tests/browser/ checks in Python that `relocate rank` reads
 * the TOML the page saves and ranks as the page did.
 *
 * Run: node --test tests/js/
 */
"use strict";

const { describe, it } = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const vm = require("node:vm");

const CORE_JS = path.resolve(__dirname, "../../relocate/outputs/static/core.js");
const core = require(CORE_JS);

const VILLAGES = [
  ["32249", "Mauvezin"], ["32370", "Saint-Clar"], ["32160", "L'Isle-Jourdain"],
  ["32208", "Lectoure"], ["32016", "Auradé"], ["32013", "Auch"], ["32396", "Sainte-Christie"],
  ["32250", "Mauvezin-d'Armagnac"], ["32132", "Fleurance"], ["32014", "Aujan-Mournède"],
].map(([insee, name]) => ({ insee: insee, name: name }));
const INDEX = core.searchIndex(VILLAGES);

function find(query, max) {
  return core.searchVillages(INDEX, VILLAGES, query, max || 10).map((f) => VILLAGES[f.i].name);
}

describe("search", () => {
  it("ignores case, accents, hyphens, apostrophes and a leading article", () => {
    assert.equal(find("LECTOURÉ")[0], "Lectoure");
    assert.equal(find("isle jourdain")[0], "L'Isle-Jourdain");
    assert.equal(find("l’isle-jourdain")[0], "L'Isle-Jourdain");
    assert.equal(find("aurade")[0], "Auradé");
  });

  it("reads st and ste as saint and sainte", () => {
    assert.equal(find("st clar")[0], "Saint-Clar");
    assert.equal(find("St-Clar")[0], "Saint-Clar");
    assert.equal(find("ste christie")[0], "Sainte-Christie");
    assert.equal(core.expandSaints("st. clar"), "saint clar");
    assert.equal(core.expandSaints("stade"), "stade");
  });

  it("finds near misses, after the exact matches", () => {
    assert.deepEqual(find("mauvesin"), ["Mauvezin", "Mauvezin-d'Armagnac"]);
    assert.equal(find("lectoure")[0], "Lectoure");
    assert.equal(find("flerance")[0], "Fleurance");
    assert.equal(find("lectuore")[0], "Lectoure"); // two letters swapped
    const results = core.searchVillages(INDEX, VILLAGES, "mauvesin", 10);
    assert.ok(results.every((f) => f.near));
    assert.ok(core.searchVillages(INDEX, VILLAGES, "mauvezin", 10).every((f) => !f.near));
  });

  it("allows no typo in a short query, and not many in a long one", () => {
    assert.deepEqual(find("aix"), []);
    assert.deepEqual(find("zzzzzzzz"), []);
    assert.deepEqual(find("zzzz-no-such-village"), []);
  });

  it("puts names that start with the query first, then words, then anywhere", () => {
    assert.deepEqual(find("au").slice(0, 4), ["Auch", "Aujan-Mournède", "Auradé", "Mauvezin"]);
    assert.equal(find("jourdain")[0], "L'Isle-Jourdain");
  });

  it("finds an INSEE code by its digits, and stops at max", () => {
    assert.deepEqual(find("32208"), ["Lectoure"]);
    assert.equal(find("3201").length, 3);
    assert.equal(find("a", 2).length, 2);
  });

  it("measures the edits to a prefix", () => {
    assert.equal(core.prefixDistance("mauvesin", "mauvezin d armagnac"), 1);
    assert.equal(core.prefixDistance("abc", "abcdef"), 0);
    assert.equal(core.prefixDistance("acb", "abc"), 1);
    assert.equal(core.prefixDistance("xyz", "abc"), 3);
  });
});

describe("valueClasses", () => {
  it("cuts at the quantiles, with readable bounds, in order", () => {
    const values = Array.from({ length: 101 }, (_, k) => k * 1.237);
    const classes = core.valueClasses(values.concat([null, NaN]), 5, false);
    assert.equal(classes.count, 5);
    assert.deepEqual(classes.breaks, [25, 49, 74, 99]);
    assert.equal(core.classOf(classes, 0), 0);
    assert.equal(core.classOf(classes, 25), 0);
    assert.equal(core.classOf(classes, 25.1), 1);
    assert.equal(core.classOf(classes, 1e6), 4);
    assert.equal(core.classOf(classes, null), null);
  });

  it("keeps each value of a yes/no or a small count as its own class", () => {
    const flags = core.valueClasses([0, 1, 1, 0, null], 5, true);
    assert.deepEqual(flags.values, [0, 1]);
    assert.equal(core.classOf(flags, 1), 1);
  });

  it("rounds large numbers to two digits, and never repeats a bound", () => {
    const skewed = [80, 90, 100, 120, 150, 200, 300, 500, 1234, 5678, 22428, 22428];
    const classes = core.valueClasses(skewed.concat(skewed, skewed), 5, true);
    for (let k = 1; k < classes.breaks.length; k++) {
      assert.ok(classes.breaks[k] > classes.breaks[k - 1]);
    }
    assert.ok(classes.breaks.every((b) => b < 1000 || b % 100 === 0), classes.breaks.join());
  });

  it("gives the programme's counts below 3 (given as 0) a class of their own", () => {
    const counts = [0, 0, 0, 3, 4, 4, 5, 7, 9, 12, 15, 20, 26, 31, 40, null];
    const classes = core.valueClasses(counts, 5, true, 3);
    assert.equal(classes.breaks[0], 2);
    assert.equal(classes.count, classes.breaks.length + 1);
    assert.ok(classes.count <= 5);
    assert.equal(core.classOf(classes, 0), 0);
    assert.equal(core.classOf(classes, 3), 1);
    for (let k = 1; k < classes.breaks.length; k++) {
      assert.ok(classes.breaks[k] > classes.breaks[k - 1]);
    }
    // None below 3, or few distinct values: as any count.
    assert.deepEqual(core.valueClasses(counts.slice(3), 5, true, 3),
      core.valueClasses(counts.slice(3), 5, true));
    assert.deepEqual(core.valueClasses([0, 3, 4], 5, true, 3).values, [0, 3, 4]);
  });

  it("has no class when no value is known", () => {
    assert.equal(core.valueClasses([null, null], 5, false).count, 0);
  });
});

const DATA = {
  criteria: [{ name: "population", weight: 3 }, { name: "drive_min_town", weight: 2.5 }],
  constraints: [{ name: "population" }, { name: "drive_min_town" }],
};

describe("the address", () => {
  it("keeps the weights moved and the constraints switched off, and reads them back", () => {
    const text = core.encodeState(DATA, { population: 0, drive_min_town: 2.5 },
      { population: true, drive_min_town: false });
    assert.equal(text, "w=population:0&off=drive_min_town");
    assert.deepEqual(core.decodeState(DATA, "#" + text), {
      weights: { population: 0 }, switches: { drive_min_town: false },
    });
  });

  it("is empty for the profile as it is", () => {
    assert.equal(core.encodeState(DATA, { population: 3, drive_min_town: 2.5 }, {}), "");
    assert.equal(core.decodeState(DATA, ""), null);
    assert.equal(core.decodeState(DATA, "#"), null);
  });

  it("leaves out what it does not understand", () => {
    const state = core.decodeState(DATA, "#w=population:7.5,nope:3,drive_min_town:-1," +
      "population2:1,drive_min_town:abc,drive_min_town:&off=nope,population&x=1");
    assert.deepEqual(state, { weights: { population: 7.5 }, switches: { population: false } });
    assert.equal(core.decodeState(DATA, "#w=population:101"), null);
    assert.equal(core.decodeState(DATA, "#w=%E0%A4%A:1"), null);
  });
});

/** A minimal TOML reader for what core.toml writes: tables, strings, numbers, arrays. */
function readToml(text) {
  const out = {};
  let table = out;
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const header = line.match(/^\[(.+)\]$/);
    if (header) {
      table = out;
      for (const part of header[1].match(/"(?:[^"\\]|\\.)*"|[^.]+/g)) {
        const key = part.startsWith('"') ? JSON.parse(part) : part;
        table = table[key] = table[key] || {};
      }
      continue;
    }
    const eq = line.indexOf(" = ");
    const key = line.slice(0, eq);
    table[key.startsWith('"') ? JSON.parse(key) : key] = JSON.parse(line.slice(eq + 3));
  }
  return out;
}

const PROFILE = {
  name: { fr: "Famille", en: "Family" },
  description: "Deux parents\n\"et\" des enfants \\ \u0001\u007f",
  criteria: {
    drive_min_town: { weight: 3, better: "lower", full: 5, zero: 25 },
    drive_min_gp: { weight: 2, better: "lower", full: 5, zero: 25 },
    population: { weight: 3, better: "higher", full: 1500, zero: 100 },
  },
  constraints: { population: { min: 150, max: null }, drive_min_town: { min: null, max: 20 } },
};

describe("profileToml", () => {
  const text = core.profileToml(PROFILE, { drive_min_town: 0.5, population: 7 },
    { population: true, drive_min_town: false }, "Famille (ajusté sur la carte)");

  it("writes the page's weights and leaves out the constraints switched off", () => {
    const back = readToml(text);
    assert.equal(back.name, "Famille (ajusté sur la carte)");
    assert.equal(back.description, PROFILE.description);
    assert.deepEqual(back.criteria, {
      drive_min_town: { weight: 0.5, better: "lower", full: 5, zero: 25 },
      drive_min_gp: { weight: 2, better: "lower", full: 5, zero: 25 },
      population: { weight: 7, better: "higher", full: 1500, zero: 100 },
    });
    assert.deepEqual(back.constraints, { population: { min: 150 } });
  });

  it("escapes quotes, backslashes and control characters", () => {
    assert.equal(core.tomlString('a"b\\c\nd\u0001\u007f'), '"a\\"b\\\\c\\nd\\u0001\\u007f"');
    assert.match(text, /^description = "Deux parents\\n\\"et\\" des enfants \\\\ \\u0001\\u007f"$/m);
  });

  it("writes tables after the values, and quotes keys that need it", () => {
    assert.equal(core.toml({ b: { "x.y": 1 }, a: "s", c: [1, 2.5] }),
      'a = "s"\nc = [1, 2.5]\n\n[b]\n"x.y" = 1\n');
    assert.throws(() => core.toml({ a: NaN }));
  });

  it("makes a file name of a profile's name", () => {
    assert.equal(core.fileStem("Famille avec enfants scolarisés"), "famille-avec-enfants-scolarises");
    assert.equal(core.fileStem("</script>"), "script");
    assert.equal(core.fileStem("!!!"), "profile");
  });
});

describe("the module", () => {
  it("defines the global relocateCore, and nothing else, in a browser", () => {
    const window = {};
    window.self = window;
    const context = vm.createContext(window);
    const before = new Set(Object.keys(context));
    vm.runInContext(fs.readFileSync(CORE_JS, "utf8"), context, { filename: "core.js" });
    assert.deepEqual(Object.keys(context).filter((k) => !before.has(k)), ["relocateCore"]);
    assert.deepEqual(Object.keys(context.relocateCore), Object.keys(core));
    assert.ok(Object.isFrozen(core));
  });
});
