/*
 * core.js: the map page's pure helpers besides scoring (no DOM, no Leaflet, no state).
 *
 *   search      village names matched by the household's spelling: case, accents, articles,
 *               "st" for "saint", and near misses (one or two letters off)
 *   classes     the value classes a criterion layer is coloured by, in the criterion's units
 *   address     the sliders and switches as the page's address keeps them (#w=...&off=...)
 *   TOML        the profile with the page's weights and switches, as `relocate rank` reads it
 *
 * tests/js/core.test.js checks them with `node --test`; tests/browser/ reads the profile the
 * page saves back in Python.
 *
 * UMD: `module.exports` under Node, the global `relocateCore` in the browser.
 */
(function (root, factory) {
  "use strict";
  const core = factory();
  if (typeof module === "object" && module.exports) module.exports = core;
  else root.relocateCore = core;
})(typeof self !== "undefined" ? self : this, function () {
  "use strict";

  /** The largest weight a profile takes (relocate.scoring.profile.MAX_WEIGHT). */
  const MAX_WEIGHT = 100;

  function own(object, key) {
    return Object.prototype.hasOwnProperty.call(object, key);
  }

  function isMissing(x) {
    return x === null || x === undefined || Number.isNaN(x);
  }

  // ---------------------------------------------------------------------------------------
  // Search
  // ---------------------------------------------------------------------------------------

  /** Lower-case, without accents, apostrophes unified, hyphens as spaces. */
  function normalise(s) {
    return String(s).normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
      .replace(/œ/g, "oe").replace(/æ/g, "ae").replace(/[’‘`´]/g, "'")
      .replace(/[-_]+/g, " ").replace(/\s+/g, " ").trim();
  }

  /** Without a leading article: "l'isle jourdain" -> "isle jourdain". */
  function withoutArticle(s) {
    return s.replace(/^(l' ?|le |la |les )/, "");
  }

  /** "st clar" -> "saint clar", "ste christie" -> "sainte christie" (whole words). */
  function expandSaints(s) {
    return s.replace(/(^| )ste?\.?(?= |$)/g, (m, before) =>
      before + (m.trim().replace(".", "") === "ste" ? "sainte" : "saint"));
  }

  /** A query or a name as search compares them. */
  function searchForm(s) {
    return withoutArticle(expandSaints(normalise(s)));
  }

  /**
   * The fewest edits (a letter added, removed, changed, or two swapped) that turn q into a
   * prefix of s: "mauvesin" is 1 from "mauvezin".
   * @param {string} q
   * @param {string} s
   * @returns {number}
   */
  function prefixDistance(q, s) {
    const m = q.length;
    const n = Math.min(s.length, m + 2);
    let prev2 = null;
    let prev = [];
    for (let j = 0; j <= n; j++) prev.push(j);
    for (let i = 1; i <= m; i++) {
      const row = [i];
      for (let j = 1; j <= n; j++) {
        const cost = q[i - 1] === s[j - 1] ? 0 : 1;
        let d = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost);
        if (prev2 && i > 1 && j > 1 && q[i - 1] === s[j - 2] && q[i - 2] === s[j - 1]) {
          d = Math.min(d, prev2[j - 2] + 1);
        }
        row.push(d);
      }
      prev2 = prev;
      prev = row;
    }
    return Math.min.apply(null, prev);
  }

  /** How many edits a query of this length may be off by: none under 4 letters. */
  function allowedTypos(length) {
    return length < 4 ? 0 : length < 7 ? 1 : 2;
  }

  /**
   * Prepare village names for search (once).
   * @param {Array<{name: string}>} villages
   */
  function searchIndex(villages) {
    return villages.map((v) => {
      const form = searchForm(v.name);
      const starts = [0];
      for (let k = 0; k < form.length; k++) if (form[k] === " ") starts.push(k + 1);
      return { form: form, starts: starts };
    });
  }

  /**
   * The villages a query finds, best first: names that start with it, then a word of which
   * does, then that hold it, then near misses (fewest edits first); an INSEE code's digits
   * find the code. Ties by name.
   * @param {Array<{form: string, starts: number[]}>} index  from searchIndex
   * @param {Array<{insee: string}>} villages
   * @param {string} query
   * @param {number} max
   * @returns {Array<{i: number, near: boolean}>}
   */
  function searchVillages(index, villages, query, max) {
    const q = searchForm(query);
    const digits = String(query).trim();
    if (!q) return [];
    const found = [];
    const typos = allowedTypos(q.length);
    index.forEach((name, i) => {
      let tier = null;
      let dist = 0;
      if (name.form.startsWith(q) || (/^\d+$/.test(digits) &&
          villages[i].insee.startsWith(digits))) tier = 0;
      else if (name.starts.some((k) => name.form.startsWith(q, k))) tier = 1;
      else if (name.form.indexOf(q) >= 0) tier = 2;
      else if (typos > 0) {
        dist = Math.min.apply(null, name.starts.map((k) => prefixDistance(q, name.form.slice(k))));
        if (dist <= typos) tier = 3;
      }
      if (tier !== null) found.push({ i: i, tier: tier, dist: dist, key: name.form });
    });
    found.sort((a, b) => a.tier - b.tier || a.dist - b.dist ||
      (a.key < b.key ? -1 : a.key > b.key ? 1 : a.i - b.i));
    return found.slice(0, max).map((f) => ({ i: f.i, near: f.tier === 3 }));
  }

  // ---------------------------------------------------------------------------------------
  // Value classes of a criterion layer
  // ---------------------------------------------------------------------------------------

  /** A class boundary people can read: 1 234 -> 1 200, 12.34 -> 12, 1.234 -> 1.2. */
  function readable(x, integer) {
    const a = Math.abs(x);
    if (a >= 1000) {
      const p = Math.pow(10, Math.floor(Math.log10(a)) - 1);
      return Math.round(x / p) * p;
    }
    if (integer || a >= 10) return Math.round(x);
    if (a >= 1) return Math.round(x * 10) / 10;
    return Math.round(x * 100) / 100;
  }

  /**
   * The classes a layer colours values by: each distinct value when there are at most k
   * (yes/no, small counts), else up to k ranges cut at the quantiles, with readable bounds.
   * A count given as 0 below `below` (the programme's members: fewer than 3 are not
   * counted) gets a class of its own, x <= below - 1, and the others share the rest.
   * @param {Array<?number>} values  missing values are left out
   * @param {number} k
   * @param {boolean} [integer]  counts: whole bounds
   * @param {?number} [below]  whole counts below it stand for "fewer than below"
   * @returns {Object} `values` (the distinct values, or null), `breaks` (or null: ranges
   *   x <= breaks[0], breaks[0] < x <= breaks[1], ..., x > breaks[last]), `count` (classes)
   */
  function valueClasses(values, k, integer, below) {
    const xs = values.filter((x) => !isMissing(x)).sort((a, b) => a - b);
    const distinct = xs.filter((x, j) => j === 0 || x !== xs[j - 1]);
    if (distinct.length <= k) return { values: distinct, breaks: null, count: distinct.length };
    if (!isMissing(below) && k > 2 && xs[0] < below) {
      const rest = valueClasses(xs.filter((x) => x >= below), k - 1, integer);
      if (rest.breaks) {
        const breaks = [below - 1].concat(rest.breaks);
        return { values: null, breaks: breaks, count: breaks.length + 1 };
      }
    }
    const breaks = [];
    for (let j = 1; j < k; j++) {
      const b = readable(xs[Math.floor((j * (xs.length - 1)) / k)], integer);
      const last = breaks.length ? breaks[breaks.length - 1] : -Infinity;
      if (b >= xs[0] && b < xs[xs.length - 1] && b > last) breaks.push(b);
    }
    return { values: null, breaks: breaks, count: breaks.length + 1 };
  }

  /** The class of x (null when missing). */
  function classOf(classes, x) {
    if (isMissing(x)) return null;
    if (classes.values) {
      const at = classes.values.indexOf(x);
      return at >= 0 ? at : null;
    }
    let c = 0;
    while (c < classes.breaks.length && x > classes.breaks[c]) c++;
    return c;
  }

  // ---------------------------------------------------------------------------------------
  // The page's address and local storage
  // ---------------------------------------------------------------------------------------

  /**
   * The sliders and switches as the address keeps them: the weights that differ from the
   * profile's and the constraints switched off ("w=population:0,drive_min_town:4.5&off=x");
   * "" for the profile as it is.
   * @param {Object} data DATA (criteria, constraints)
   * @param {Object<string, number>} weights
   * @param {Object<string, boolean>} switches
   * @returns {string}
   */
  function encodeState(data, weights, switches) {
    const moved = data.criteria.filter((c) => own(weights, c.name) && weights[c.name] !== c.weight)
      .map((c) => encodeURIComponent(c.name) + ":" + String(weights[c.name]));
    const off = data.constraints.filter((c) => own(switches, c.name) && !switches[c.name])
      .map((c) => encodeURIComponent(c.name));
    const parts = [];
    if (moved.length) parts.push("w=" + moved.join(","));
    if (off.length) parts.push("off=" + off.join(","));
    return parts.join("&");
  }

  /**
   * Read what encodeState wrote (with or without the "#"): weights of the page's criteria
   * (numbers from 0 to 100) and switches of its constraints; what is not understood is left
   * out. null when nothing is.
   * @returns {?Object} `weights` by criterion and `switches` by constraint, or null
   */
  function decodeState(data, text) {
    const criteria = new Set(data.criteria.map((c) => c.name));
    const constraints = new Set(data.constraints.map((c) => c.name));
    const weights = {};
    const switches = {};
    let any = false;
    for (const part of String(text || "").replace(/^#/, "").split("&")) {
      const eq = part.indexOf("=");
      if (eq < 0) continue;
      const key = part.slice(0, eq);
      for (const item of part.slice(eq + 1).split(",")) {
        if (key === "w") {
          const colon = item.lastIndexOf(":");
          const name = safeDecode(item.slice(0, colon));
          const w = Number(item.slice(colon + 1));
          if (colon > 0 && criteria.has(name) && item.slice(colon + 1) !== "" &&
              Number.isFinite(w) && w >= 0 && w <= MAX_WEIGHT) {
            weights[name] = w;
            any = true;
          }
        } else if (key === "off") {
          const name = safeDecode(item);
          if (constraints.has(name)) {
            switches[name] = false;
            any = true;
          }
        }
      }
    }
    return any ? { weights: weights, switches: switches } : null;
  }

  function safeDecode(s) {
    try {
      return decodeURIComponent(s);
    } catch (e) {
      return "";
    }
  }

  // ---------------------------------------------------------------------------------------
  // The profile as TOML
  // ---------------------------------------------------------------------------------------

  function isTable(v) {
    return v !== null && typeof v === "object" && !Array.isArray(v);
  }

  /** A TOML basic string: quotes, backslashes and control characters escaped. */
  function tomlString(s) {
    const named = { "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r",
      '"': '\\"', "\\": "\\\\" };
    return '"' + String(s).replace(/[\u0000-\u001f"\\\u007f]/g, (c) => named[c] ||
      "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0")) + '"';
  }

  function tomlKey(k) {
    return /^[A-Za-z0-9_-]+$/.test(k) ? k : tomlString(k);
  }

  function tomlValue(v) {
    if (typeof v === "string") return tomlString(v);
    if (typeof v === "boolean") return v ? "true" : "false";
    if (typeof v === "number") {
      if (!Number.isFinite(v)) throw new Error("TOML has no " + v + " here");
      return String(v);
    }
    if (Array.isArray(v)) return "[" + v.map(tomlValue).join(", ") + "]";
    throw new Error("no TOML value for " + typeof v);
  }

  /** A TOML document of nested objects (null values left out, empty tables too). */
  function toml(object) {
    const lines = [];
    function table(obj, path) {
      const keys = Object.keys(obj).filter((k) => obj[k] !== null && obj[k] !== undefined);
      const scalars = keys.filter((k) => !isTable(obj[k]));
      if (path.length && scalars.length) lines.push("", "[" + path.map(tomlKey).join(".") + "]");
      for (const k of scalars) lines.push(tomlKey(k) + " = " + tomlValue(obj[k]));
      for (const k of keys.filter((k) => isTable(obj[k]))) table(obj[k], path.concat([k]));
    }
    table(object, []);
    return lines.join("\n").replace(/^\n+/, "") + "\n";
  }

  /**
   * The profile DATA carries, with the page's weights and switches: a TOML file that
   * `relocate rank --profile FILE` reads and ranks as the page does. Criteria the page
   * cannot score keep their weight; constraints switched off are left out.
   * @param {Object} profile  DATA.profile (the profile as Python dumps it)
   * @param {Object<string, number>} weights  the page's, by criterion
   * @param {Object<string, boolean>} switches  the page's, by constraint
   * @param {string} name  the saved profile's name
   * @returns {string}
   */
  function profileToml(profile, weights, switches, name) {
    const out = {};
    for (const k of Object.keys(profile)) {
      if (k !== "criteria" && k !== "constraints") out[k] = profile[k];
    }
    out.name = name;
    if (out.description === "") delete out.description;
    out.criteria = {};
    for (const c of Object.keys(profile.criteria)) {
      out.criteria[c] = Object.assign({}, profile.criteria[c]);
      if (own(weights, c)) out.criteria[c].weight = weights[c];
    }
    out.constraints = {};
    for (const c of Object.keys(profile.constraints || {})) {
      if (!own(switches, c) || switches[c]) out.constraints[c] = profile.constraints[c];
    }
    return toml(out);
  }

  /** A file name from a profile's name: letters, digits and dashes. */
  function fileStem(name) {
    const stem = normalise(name).replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
    return stem.slice(0, 60) || "profile";
  }

  return Object.freeze({
    MAX_WEIGHT: MAX_WEIGHT,
    normalise: normalise,
    withoutArticle: withoutArticle,
    expandSaints: expandSaints,
    prefixDistance: prefixDistance,
    searchIndex: searchIndex,
    searchVillages: searchVillages,
    valueClasses: valueClasses,
    classOf: classOf,
    encodeState: encodeState,
    decodeState: decodeState,
    tomlString: tomlString,
    toml: toml,
    profileToml: profileToml,
    fileStem: fileStem,
  });
});
