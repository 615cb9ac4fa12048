/*
 * relocate-map.js: the page app of the map written by `relocate map`.
 *
 * It follows the contract between relocate/outputs/map.py and this file: Python hands over
 * DATA (villages, raw values, the profile's criteria and constraints, translations) and calls
 * relocateMap.start(map, DATA). The page re-scores every village in the browser exactly as
 * relocate/scoring/score.py does, so weights and constraints can be changed live.
 *
 * Plain browser JavaScript, no build step, no third-party code besides Leaflet (global L).
 * Every text from DATA goes into the page with textContent or createTextNode, never as HTML.
 */
(function (global) {
  "use strict";

  // ---------------------------------------------------------------------------------------
  // Constants
  // ---------------------------------------------------------------------------------------

  /** Viridis at five stops: ordered, colour-blind safe, legible in greyscale. */
  const VIRIDIS = ["#440154", "#3b528b", "#21918c", "#5ec962", "#fde725"];
  const EXCLUDED_COLOUR = "#9e9e9e";
  const NO_DATA_COLOUR = "#ffffff";
  /** Okabe-Ito colours for the point layers (stations, schools...). */
  const POINT_COLOURS = ["#e69f00", "#56b4e9", "#009e73", "#cc79a7", "#0072b2", "#d55e00",
    "#f0e442", "#000000"];
  const OSM_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png";
  const OSM_ATTRIBUTION = "© OpenStreetMap contributors";
  const SMALL_SCREEN = "(max-width: 700px)";
  const MAX_COMPARED = 3;
  const MAX_SEARCH_RESULTS = 10;

  // ---------------------------------------------------------------------------------------
  // Scoring: pure functions mirroring relocate/scoring/score.py float operation by operation
  // ---------------------------------------------------------------------------------------

  /** numpy.rint: round to the nearest integer, ties to even. */
  function rint(y) {
    if (!Number.isFinite(y) || Math.abs(y) >= 4503599627370496) return y; // 2**52: integral
    const a = Math.abs(y);
    const f = Math.floor(a);
    const d = a - f; // exact (Sterbenz) for a >= 1, trivially for a < 1
    let r = f;
    if (d > 0.5 || (d === 0.5 && f % 2 === 1)) r = f + 1;
    return y < 0 ? -r : r;
  }

  /** numpy.round(x, decimals) for decimals >= 0: rint(x * 10**decimals) / 10**decimals. */
  function roundHalfEven(x, decimals) {
    let scale = 1;
    for (let i = 0; i < decimals; i++) scale *= 10; // exact, as numpy builds it
    return rint(x * scale) / scale;
  }

  function isMissing(x) {
    return x === null || x === undefined || Number.isNaN(x);
  }

  /**
   * Utility in [0, 1] of a raw value for a criterion, null for a missing value.
   * numpy.interp on two points computes slope * (x - xp0) + fp0, with the slope first.
   */
  function utility(c, x) {
    if (isMissing(x)) return null;
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

  /** numpy's sum of a float64 row: pairwise, 8 accumulators from 8 values on, 0 + that. */
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
   * Score, exclude and rank every village.
   * @param data DATA of the contract
   * @param weights {criterion name: weight}
   * @param switches {constraint name: applied?}
   * @returns {util, points, score, excluded, failed, order, rank, ranked, coverage}
   */
  function scoreAll(data, weights, switches) {
    const crit = data.criteria;
    const cons = data.constraints.filter((c) => switches[c.name]);
    const w = crit.map((c) => weights[c.name]);
    const totalWeight = numpySum(w);
    const n = data.villages.length;
    const out = {
      util: [], points: [], score: [], excluded: [], failed: [], coverage: [],
      rank: new Array(n).fill(null), order: [], ranked: 0,
    };
    const key = [];
    for (let i = 0; i < n; i++) {
      const row = data.villages[i].v;
      const u = crit.map((c) => utility(c, row[c.col]));
      const wd = numpySum(u.map((x, j) => (x === null ? 0.0 : 1.0 * w[j])));
      // 100.0 * u * w / wd, left to right as numpy evaluates it.
      const pts = u.map((x, j) => (x === null || !(wd > 0) ? null : (100.0 * x * w[j]) / wd));
      const score = wd > 0 ? numpySum(pts.map((p) => (p === null ? 0.0 : p))) : null;
      // A null value never excludes; a constraint switched off is not applied.
      const failed = [];
      for (const c of cons) {
        const x = row[c.col];
        if (isMissing(x)) continue;
        if (c.min !== null && c.min !== undefined && x < c.min) failed.push({ c: c, x: x, bound: "min" });
        if (c.max !== null && c.max !== undefined && x > c.max) failed.push({ c: c, x: x, bound: "max" });
      }
      out.util.push(u);
      out.points.push(pts);
      out.score.push(score);
      out.failed.push(failed);
      out.excluded.push(failed.length > 0);
      out.coverage.push(totalWeight > 0 ? wd / totalWeight : 0);
      key.push(score === null ? Infinity : -roundHalfEven(score, 9));
    }
    // Not excluded first, then -round(score, 9) (no score last), then INSEE code.
    const order = Array.from({ length: n }, (_, i) => i);
    order.sort((a, b) => {
      if (out.excluded[a] !== out.excluded[b]) return out.excluded[a] ? 1 : -1;
      if (key[a] < key[b]) return -1;
      if (key[a] > key[b]) return 1;
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

  // ---------------------------------------------------------------------------------------
  // State, texts and formatting
  // ---------------------------------------------------------------------------------------

  const S = {
    data: null, map: null, result: null,
    weights: {}, switches: {}, view: "score", selected: null, compare: [],
    byInsee: {}, polygons: [], reps: [], el: {}, layers: {}, formats: {},
  };

  /** A UI text from DATA.t with {placeholders} filled in (the key itself if missing). */
  function t(key, params) {
    const text = S.data && S.data.t && key in S.data.t ? S.data.t[key] : key;
    if (!params) return text;
    return text.replace(/\{(\w+)\}/g, (m, name) => (name in params ? String(params[name]) : m));
  }

  function setUpFormats(lang) {
    const locale = lang === "fr" ? "fr-FR" : "en-GB";
    S.formats = {
      int: new Intl.NumberFormat(locale, { maximumFractionDigits: 0 }),
      one: new Intl.NumberFormat(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 }),
      weight: new Intl.NumberFormat(locale, { maximumFractionDigits: 2 }),
      pct: new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 0 }),
      tick: new Intl.NumberFormat(locale, { maximumFractionDigits: 1 }),
    };
  }

  /** A unit's symbol in the page's language (units come from the catalogue as data). */
  function unitText(unit) {
    return unit ? unit.symbol : "";
  }

  function isIntegerUnit(unit) {
    return Boolean(unit && unit.integer);
  }

  /** A raw value with its unit, like report.format_value, or "missing". */
  function formatValue(x, unit) {
    if (isMissing(x)) return t("missing");
    if (unit && unit.flag) return x ? t("yes") : t("no");
    const number = isIntegerUnit(unit) ? S.formats.int.format(x) : S.formats.one.format(x);
    const u = unitText(unit);
    return u ? number + "\u00a0" + u : number;
  }

  /** A constraint bound: integer units as integers, others with up to 2 decimals (like :g). */
  function formatBound(x, unit) {
    if (isIntegerUnit(unit)) return formatValue(x, unit);
    const u = unitText(unit);
    return S.formats.weight.format(x) + (u ? "\u00a0" + u : "");
  }

  function formatScore(x) {
    return isMissing(x) ? "–" : S.formats.one.format(x);
  }

  /** "label: at least 150 inhabitants and at most 20 min" for a constraint. */
  function constraintText(c) {
    const parts = [];
    if (c.min !== null && c.min !== undefined) parts.push(t("at_least", { v: formatBound(c.min, c.unit) }));
    if (c.max !== null && c.max !== undefined) parts.push(t("at_most", { v: formatBound(c.max, c.unit) }));
    return c.label + t("colon") + parts.join(", ");
  }

  /** Why a village is excluded, one text per failed constraint. */
  function failureText(f) {
    return t(f.bound === "min" ? "below_min" : "above_max", {
      label: f.c.label,
      value: formatValue(f.x, f.c.unit),
      bound: formatBound(f.bound === "min" ? f.c.min : f.c.max, f.c.unit),
    });
  }

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

  /** Linear interpolation between the viridis stops, t in [0, 1]. */
  function colour(x) {
    const v = Math.min(1, Math.max(0, x)) * (VIRIDIS.length - 1);
    const i = Math.min(Math.floor(v), VIRIDIS.length - 2);
    const f = v - i;
    const a = parseInt(VIRIDIS[i].slice(1), 16);
    const b = parseInt(VIRIDIS[i + 1].slice(1), 16);
    let hex = "#";
    for (const shift of [16, 8, 0]) {
      const ca = (a >> shift) & 255;
      const cb = (b >> shift) & 255;
      hex += Math.round(ca + (cb - ca) * f).toString(16).padStart(2, "0");
    }
    return hex;
  }

  // ---------------------------------------------------------------------------------------
  // DOM helpers (text only: never innerHTML with data)
  // ---------------------------------------------------------------------------------------

  /** Create an element: props.text -> textContent, on<event> -> listener, others -> attributes. */
  function el(tag, props, children) {
    const node = document.createElement(tag);
    for (const [key, v] of Object.entries(props || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (key === "text") node.textContent = String(v);
      else if (key === "className") node.className = v;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), v);
      else node.setAttribute(key, v === true ? "" : String(v));
    }
    for (const child of children || []) {
      if (child === null || child === undefined || child === false) continue;
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    }
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
    return node;
  }

  /** Escape text for the few Leaflet APIs that only take HTML strings (layer control names). */
  function escapeHtml(s) {
    return String(s).replace(/[&<>"']/g, (c) => "&#" + c.charCodeAt(0) + ";");
  }

  /** Make a list item act as a button (click, Enter, Space). */
  function actionable(node, action) {
    node.setAttribute("tabindex", "0");
    node.setAttribute("role", "button");
    node.addEventListener("click", action);
    node.addEventListener("keydown", (e) => {
      if (e.key === "Enter" || e.key === " ") { e.preventDefault(); action(); }
    });
    return node;
  }

  function isSmallScreen() {
    return global.matchMedia ? global.matchMedia(SMALL_SCREEN).matches : false;
  }

  // ---------------------------------------------------------------------------------------
  // Geometry: a point inside each village, for the rank markers
  // ---------------------------------------------------------------------------------------

  function ringArea(ring) {
    let s = 0;
    for (let k = 0, j = ring.length - 1; k < ring.length; j = k++) {
      s += ring[j][0] * ring[k][1] - ring[k][0] * ring[j][1];
    }
    return s / 2;
  }

  function insideRings(p, rings) {
    let inside = false;
    for (const ring of rings) {
      for (let k = 0, j = ring.length - 1; k < ring.length; j = k++) {
        const a = ring[k];
        const b = ring[j];
        if ((a[1] > p[1]) !== (b[1] > p[1]) &&
            p[0] < ((b[0] - a[0]) * (p[1] - a[1])) / (b[1] - a[1]) + a[0]) inside = !inside;
      }
    }
    return inside;
  }

  /** [lon, lat] inside the largest polygon: its centroid, else the widest scanline middle. */
  function representativePoint(geometry) {
    if (!geometry) return null;
    const polys = geometry.type === "Polygon" ? [geometry.coordinates]
      : geometry.type === "MultiPolygon" ? geometry.coordinates : [];
    let best = null;
    let bestArea = -1;
    for (const poly of polys) {
      const area = poly.length ? Math.abs(ringArea(poly[0])) : 0;
      if (area > bestArea) { best = poly; bestArea = area; }
    }
    if (!best || !best[0] || best[0].length < 3) return null;
    const outer = best[0];
    let cx = 0;
    let cy = 0;
    let a2 = 0;
    for (let k = 0, j = outer.length - 1; k < outer.length; j = k++) {
      const cross = outer[j][0] * outer[k][1] - outer[k][0] * outer[j][1];
      cx += (outer[j][0] + outer[k][0]) * cross;
      cy += (outer[j][1] + outer[k][1]) * cross;
      a2 += cross;
    }
    const centroid = a2 ? [cx / (3 * a2), cy / (3 * a2)] : outer[0];
    if (insideRings(centroid, best)) return centroid;
    const y = centroid[1];
    const xs = [];
    for (const ring of best) {
      for (let k = 0, j = ring.length - 1; k < ring.length; j = k++) {
        const a = ring[k];
        const b = ring[j];
        if ((a[1] > y) !== (b[1] > y)) xs.push(a[0] + ((y - a[1]) * (b[0] - a[0])) / (b[1] - a[1]));
      }
    }
    xs.sort((p, q) => p - q);
    let mid = outer[0];
    let width = -1;
    for (let k = 0; k + 1 < xs.length; k += 2) {
      if (xs[k + 1] - xs[k] > width) { width = xs[k + 1] - xs[k]; mid = [(xs[k] + xs[k + 1]) / 2, y]; }
    }
    return mid;
  }

  // ---------------------------------------------------------------------------------------
  // The side panel: title, search, top list, weights, constraints, unavailable criteria
  // ---------------------------------------------------------------------------------------

  function buildPanel() {
    const d = S.data;
    const toggle = el("button", {
      id: "rl-panel-toggle", type: "button", className: "rl-panel-toggle",
      "aria-controls": "rl-panel-body", "aria-expanded": "true", title: t("hide_panel"),
      onclick: () => setPanelOpen(document.body.classList.contains("rl-panel-collapsed")),
    }, [el("span", { "aria-hidden": "true", text: "☰" })]);
    S.el.counts = el("p", { className: "rl-counts" });
    const head = el("header", { className: "rl-panel-head" }, [
      toggle,
      el("div", { className: "rl-title" }, [
        el("h1", { text: d.title }),
        el("p", { className: "rl-dept", text: d.departement.name + " (" + d.departement.code + ")" }),
        S.el.counts,
      ]),
    ]);

    S.el.search = el("input", {
      id: "rl-search", type: "search", autocomplete: "off", placeholder: t("search"),
      "aria-label": t("search"), oninput: renderSearch,
      onkeydown: (e) => {
        if (e.key !== "Enter") return;
        const first = S.el.searchResults.querySelector("li[data-insee]");
        if (first) first.click();
      },
    });
    S.el.searchResults = el("ul", { id: "rl-search-results", className: "rl-search-results" });

    S.el.topTitle = el("h2", { text: t("top", { n: d.top }) });
    S.el.top = el("ol", { id: "rl-top", className: "rl-top" });

    const sliders = d.criteria.map((c, j) => {
      const w = c.weight;
      const output = el("output", { for: "rl-w-" + j, text: S.formats.weight.format(w) });
      const input = el("input", {
        id: "rl-w-" + j, type: "range", min: 0, max: Math.max(10, 2 * w), step: 0.5, value: w,
        "data-criterion": c.name,
        oninput: (e) => {
          S.weights[c.name] = parseFloat(e.target.value);
          output.textContent = S.formats.weight.format(S.weights[c.name]);
          rescore();
        },
      });
      return el("div", { className: "rl-weight" }, [
        el("label", { for: "rl-w-" + j }, [el("span", { className: "rl-weight-name", text: c.label }), output]),
        input,
      ]);
    });

    const switches = d.constraints.map((c, j) => el("label", { className: "rl-constraint", for: "rl-c-" + j }, [
      el("input", {
        id: "rl-c-" + j, type: "checkbox", className: "rl-switch", checked: true,
        "data-constraint": c.name, "aria-label": t("applied"),
        onchange: (e) => { S.switches[c.name] = e.target.checked; rescore(); },
      }),
      el("span", { text: constraintText(c) }),
    ]));

    const unavailable = (d.unavailable || []).map((u) => el("li", {}, [
      el("strong", { text: u.label }), el("br"), el("span", { text: u.reason }),
    ]));

    const body = el("div", { id: "rl-panel-body", className: "rl-panel-body" }, [
      d.description ? el("p", { className: "rl-desc", text: d.description }) : null,
      el("div", { className: "rl-search" }, [S.el.search, S.el.searchResults]),
      el("section", {}, [S.el.topTitle, S.el.top]),
      el("section", {}, [el("h2", { text: t("weights") }), ...sliders]),
      switches.length ? el("section", {}, [el("h2", { text: t("constraints") }), ...switches]) : null,
      el("button", { id: "rl-reset", type: "button", className: "rl-button", text: t("reset"), onclick: reset }),
      unavailable.length ? el("section", { className: "rl-unavailable" }, [
        el("h2", { text: t("unavailable_title") }),
        el("p", { className: "rl-note", text: t("unavailable") }),
        el("ul", {}, unavailable),
      ]) : null,
    ]);
    S.el.panel = el("aside", { id: "rl-panel", className: "rl-panel", "aria-label": t("panel") }, [head, body]);
    S.el.toggle = toggle;
    document.body.appendChild(S.el.panel);
  }

  /** Open or collapse the panel; the map takes the room left and is told so. */
  function setPanelOpen(open) {
    document.body.classList.toggle("rl-panel-collapsed", !open);
    S.el.toggle.setAttribute("aria-expanded", String(open));
    S.el.toggle.setAttribute("title", open ? t("hide_panel") : t("show_panel"));
    measure();
  }

  /** Keep CSS in step with the footer's and the panel head's heights, then resize the map. */
  function measure() {
    const style = document.body.style;
    style.setProperty("--rl-footer-h", (S.el.footerLine ? S.el.footerLine.offsetHeight : 0) + "px");
    style.setProperty("--rl-head-h", S.el.panel.querySelector(".rl-panel-head").offsetHeight + "px");
    if (S.map) S.map.invalidateSize();
  }

  function renderCounts() {
    const r = S.result;
    const nExcluded = r.excluded.filter(Boolean).length;
    S.el.counts.textContent = t("ranked_count", { n: r.ranked, x: nExcluded });
  }

  /** The live top list: #rl-top li[data-insee], in rank order. */
  function renderTop() {
    clear(S.el.top);
    for (const i of topIndices()) {
      const v = S.data.villages[i];
      S.el.top.appendChild(actionable(el("li", { "data-insee": v.insee }, [
        el("span", { className: "rl-top-rank", text: S.result.rank[i] }),
        el("span", { className: "rl-top-name", text: v.name }),
        el("span", { className: "rl-top-score", text: formatScore(S.result.score[i]) }),
      ]), () => selectVillage(i, true)));
    }
  }

  /** Indices of the best ranked villages, at most DATA.top. */
  function topIndices() {
    const out = [];
    for (const i of S.result.order) {
      if (out.length >= S.data.top) break;
      if (S.result.rank[i] !== null) out.push(i);
    }
    return out;
  }

  /** Search: accent- and case-insensitive substring, leading article ignored, at most 10. */
  function renderSearch() {
    const raw = S.el.search.value;
    clear(S.el.searchResults);
    const q = normalise(raw);
    if (!q) return;
    const qBare = withoutArticle(q);
    const found = [];
    S.data.villages.forEach((v, i) => {
      const name = S.names[i];
      const at = name.bare.indexOf(qBare);
      if (at >= 0 || name.full.indexOf(q) >= 0 || v.insee.indexOf(raw.trim()) === 0) {
        found.push({ i: i, first: at === 0 ? 0 : 1, key: name.bare });
      }
    });
    found.sort((a, b) => a.first - b.first || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    if (!found.length) {
      S.el.searchResults.appendChild(el("li", { className: "rl-none", text: t("search_none") }));
      return;
    }
    for (const f of found.slice(0, MAX_SEARCH_RESULTS)) {
      const v = S.data.villages[f.i];
      S.el.searchResults.appendChild(actionable(el("li", { "data-insee": v.insee }, [
        el("span", { text: v.name }), el("small", { text: " " + v.insee }),
      ]), () => { selectVillage(f.i, true); clear(S.el.searchResults); S.el.search.value = ""; }));
    }
  }

  /** Back to the profile's weights, every constraint applied. */
  function reset() {
    for (const c of S.data.criteria) {
      S.weights[c.name] = c.weight;
      const input = S.el.panel.querySelector('input[data-criterion="' + CSS.escape(c.name) + '"]');
      input.value = c.weight;
      input.previousElementSibling.querySelector("output").textContent = S.formats.weight.format(c.weight);
    }
    for (const c of S.data.constraints) {
      S.switches[c.name] = true;
      S.el.panel.querySelector('input[data-constraint="' + CSS.escape(c.name) + '"]').checked = true;
    }
    rescore();
  }

  // ---------------------------------------------------------------------------------------
  // The village card
  // ---------------------------------------------------------------------------------------

  function buildCard() {
    S.el.card = el("section", { id: "rl-card", className: "rl-card", hidden: true, "aria-live": "polite" });
    document.body.appendChild(S.el.card);
  }

  /** Open a village's card; zoom to it if asked. */
  function selectVillage(i, zoom) {
    // On a phone the panel would hide the village: fold it away.
    if (zoom && isSmallScreen()) setPanelOpen(false);
    const before = S.selected;
    S.selected = i;
    if (before !== null && S.polygons[before]) restyle(before);
    renderCard(i);
    if (S.polygons[i]) {
      restyle(i);
      S.polygons[i].bringToFront();
      if (zoom) zoomTo(S.polygons[i].getBounds());
    }
  }

  /** Fit bounds in the part of the map left visible by the card and the compare panel. */
  function zoomTo(bounds) {
    const size = S.map.getSize();
    const compare = S.el.compare.hidden ? 0 : S.el.compare.offsetHeight;
    let right = 20;
    let bottom = 20 + compare;
    if (isSmallScreen()) bottom = Math.max(bottom, Math.round(0.62 * global.innerHeight) + 20);
    else right += S.el.card.offsetWidth || 390;
    // Never pad more than the map can give: keep at least 120 px for the village.
    right = Math.min(right, Math.max(20, size.x - 140));
    bottom = Math.min(bottom, Math.max(20, size.y - 140));
    S.map.fitBounds(bounds, { maxZoom: 12, paddingTopLeft: [20, 20], paddingBottomRight: [right, bottom] });
  }

  function closeCard() {
    const i = S.selected;
    S.selected = null;
    if (i !== null && S.polygons[i]) restyle(i);
    S.el.card.hidden = true;
    document.body.classList.remove("rl-card-open");
  }

  /** A value cell: formatted value, "(estimate)", source and doubt notes. */
  function valueCell(item, x, insee) {
    const doubt = S.data.villages[S.byInsee[insee]].doubt || {};
    const notes = [];
    // The built-in sources (communes, airports) are in the footer; open data says its edition.
    if (item.source && !item.builtin) notes.push(t("source") + t("colon") + item.source);
    if (doubt[item.name]) notes.push(doubt[item.name]);
    return el("td", { className: "rl-value" }, [
      el("span", { text: formatValue(x, item.unit) }),
      item.estimate ? el("span", { className: "rl-est", text: " (" + t("estimate") + ")" }) : null,
      notes.length ? el("small", { className: "rl-source", text: notes.join(" · ") }) : null,
    ]);
  }

  function renderCard(i) {
    const d = S.data;
    const r = S.result;
    const v = d.villages[i];
    const card = clear(S.el.card);
    card.appendChild(el("header", { className: "rl-card-head" }, [
      el("h2", { className: "rl-card-name", text: v.name }),
      el("span", { className: "rl-card-insee", text: v.insee }),
      el("button", {
        type: "button", className: "rl-close", "aria-label": t("close"), title: t("close"),
        text: "×", onclick: closeCard,
      }),
    ]));

    // Standing: score and rank, or why excluded.
    const standing = el("div", { className: "rl-standing" });
    if (r.score[i] !== null) {
      standing.appendChild(el("p", { className: "rl-card-score" }, [
        t("score") + t("colon"), el("strong", { text: formatScore(r.score[i]) }), t("out_of_100"),
      ]));
    } else {
      standing.appendChild(el("p", { className: "rl-note", text: t("no_score") }));
    }
    if (r.rank[i] !== null) {
      const rank = t("rank") + t("colon") + r.rank[i] + " " + t("of") + " " + r.ranked;
      standing.appendChild(el("p", { className: "rl-card-rank", text: rank }));
    } else if (r.excluded[i]) {
      standing.appendChild(el("p", { className: "rl-excluded", text: t("excluded_by") }));
      const reasons = r.failed[i].map((f) => el("li", { text: failureText(f) }));
      standing.appendChild(el("ul", { className: "rl-excluded" }, reasons));
    } else {
      standing.appendChild(el("p", { className: "rl-note", text: t("not_ranked") }));
    }
    const unchecked = d.constraints.filter((c) => S.switches[c.name] && isMissing(v.v[c.col]));
    if (unchecked.length) {
      const labels = unchecked.map((c) => c.label).join(", ");
      standing.appendChild(el("p", { className: "rl-note", text: t("not_checked") + t("colon") + labels }));
    }
    card.appendChild(standing);

    // Never disabled: a click that cannot add says why instead.
    const inCompare = S.compare.indexOf(i) >= 0;
    const full = S.compare.length >= MAX_COMPARED;
    const why = inCompare ? t("compare_already") : full ? t("compare_full") : null;
    const note = el("span", { className: "rl-compare-note", role: "status" });
    card.appendChild(el("div", { className: "rl-compare-row" }, [
      el("button", {
        type: "button", className: "rl-compare-add rl-button" + (why ? " rl-muted" : ""),
        text: t("compare_add"), title: why,
        onclick: () => { if (why) note.textContent = why; else addToCompare(i); },
      }),
      note,
    ]));

    // Criteria: value, utility bar, points.
    const rows = d.criteria.map((c, j) => {
      const u = r.util[i][j];
      const p = r.points[i][j];
      return el("tr", {}, [
        el("th", { scope: "row", text: c.label }),
        valueCell(c, v.v[c.col], v.insee),
        el("td", { className: "rl-bar-cell", title: utilityText(u) }, [
          el("div", { className: "rl-bar" }, [barFill(u)]),
        ]),
        el("td", { className: "rl-num", text: p === null ? "–" : S.formats.one.format(p) }),
      ]);
    });
    for (const u of d.unavailable || []) {
      rows.push(el("tr", { className: "rl-unavail" }, [
        el("th", { scope: "row", text: u.label }), el("td", { colSpan: 3, text: t("unavailable") }),
      ]));
    }
    card.appendChild(el("table", { className: "rl-criteria" }, [
      el("thead", {}, [el("tr", {}, [
        el("th", { text: t("criterion") }), el("th", { text: t("value") }),
        el("th", { text: t("utility") }), el("th", { className: "rl-num", text: t("points") }),
      ])]),
      el("tbody", {}, rows),
    ]));
    if (r.score[i] !== null && r.coverage[i] < 1) {
      const pct = S.formats.pct.format(r.coverage[i]);
      card.appendChild(el("p", { className: "rl-note", text: t("coverage", { pct: pct }) }));
    }

    // Other facts.
    if ((d.facts || []).length) {
      card.appendChild(el("h3", { text: t("other_facts") }));
      card.appendChild(el("table", { className: "rl-facts" }, [el("tbody", {}, d.facts.map((f) => el("tr", {}, [
        el("th", { scope: "row", text: f.label }), valueCell(f, v.v[f.col], v.insee),
      ])))]));
    }
    card.appendChild(el("h3", { text: t("town_hall") }));
    card.appendChild(townHall(v.th || {}));
    card.hidden = false;
    document.body.classList.add("rl-card-open");
  }

  function utilityText(u) {
    return u === null ? t("no_data") : t("utility") + t("colon") + S.formats.weight.format(u);
  }

  /** The coloured part of a utility bar. */
  function barFill(u) {
    const fill = el("div", { className: "rl-bar-fill" });
    fill.style.width = u === null ? "0" : (u * 100).toFixed(1) + "%";
    if (u !== null) fill.style.background = colour(u);
    return fill;
  }

  /** Town hall: address, phone, e-mail (mailto only if it looks like one), website, hours. */
  function townHall(th) {
    const rows = [];
    const row = (key, value) => rows.push(el("div", {}, [el("dt", { text: t(key) }), el("dd", {}, [value])]));
    if (th.address) row("address", el("span", { text: String(th.address).replace(/\s+/g, " ").trim() }));
    if (th.phone) row("phone", el("span", { text: th.phone }));
    if (th.email) {
      const email = String(th.email).trim();
      if (/^[^\s@<>()"',;:]+@[^\s@<>()"',;:]+\.[^\s@<>()"',;:]+$/.test(email)) {
        const a = el("a", { text: email });
        a.setAttribute("href", "mailto:" + email);
        row("email", a);
      } else {
        row("email", el("span", { text: email }));
      }
    }
    if (th.website) {
      const site = String(th.website).trim();
      if (/^https?:\/\//i.test(site)) {
        const a = el("a", { text: site, target: "_blank", rel: "noopener noreferrer" });
        a.setAttribute("href", site);
        row("website", a);
      } else {
        row("website", el("span", { text: site }));
      }
    }
    row("hours", el("span", { text: th.hours ? th.hours : t("not_published") }));
    return el("dl", { className: "rl-townhall" }, rows);
  }

  // ---------------------------------------------------------------------------------------
  // Compare panel: up to 3 villages side by side
  // ---------------------------------------------------------------------------------------

  function buildCompare() {
    S.el.compare = el("section", { id: "rl-compare", className: "rl-compare", hidden: true });
    document.body.appendChild(S.el.compare);
  }

  function addToCompare(i) {
    if (S.compare.indexOf(i) >= 0 || S.compare.length >= MAX_COMPARED) return;
    S.compare.push(i);
    renderCompare();
    if (S.selected !== null) renderCard(S.selected);
  }

  function removeFromCompare(i) {
    S.compare = S.compare.filter((k) => k !== i);
    renderCompare();
    if (S.selected !== null) renderCard(S.selected);
  }

  function renderCompare() {
    const box = clear(S.el.compare);
    box.hidden = S.compare.length === 0;
    document.body.classList.toggle("rl-compare-open", !box.hidden);
    if (box.hidden) return;
    const r = S.result;
    const d = S.data;
    // A row: its header, then one cell per village compared.
    const row = (label, cell) => el("tr", {}, [el("th", { scope: "row", text: label })]
      .concat(S.compare.map((i) => el("td", {}, cell(i)))));
    const head = el("tr", {}, [el("th", { text: t("compare") })].concat(S.compare.map((i) => {
      const name = d.villages[i].name;
      return el("th", { className: "rl-compare-village", "data-insee": d.villages[i].insee }, [
        actionable(el("span", { className: "rl-compare-name", text: name }), () => selectVillage(i, true)),
        el("button", {
          type: "button", className: "rl-compare-remove", title: t("remove"),
          "aria-label": t("remove") + " " + name, text: "×", onclick: () => removeFromCompare(i),
        }),
      ]);
    })));
    const standing = (i) => (r.rank[i] !== null ? r.rank[i] + " " + t("of") + " " + r.ranked
      : r.excluded[i] ? t("excluded") : t("not_ranked"));
    const rows = [
      row(t("score"), (i) => [formatScore(r.score[i])]),
      row(t("rank"), (i) => [standing(i)]),
    ];
    d.criteria.forEach((c, j) => rows.push(row(c.label, (i) => {
      const p = r.points[i][j];
      return [
        el("span", { text: formatValue(d.villages[i].v[c.col], c.unit) }),
        el("div", { className: "rl-bar", title: utilityText(r.util[i][j]) }, [barFill(r.util[i][j])]),
        el("small", { text: p === null ? "–" : S.formats.one.format(p) + " " + t("points_short") }),
      ];
    })));
    box.appendChild(el("div", { className: "rl-compare-scroll" }, [
      el("table", {}, [el("thead", {}, [head]), el("tbody", {}, rows)]),
    ]));
    // Leaflet's bottom controls (legend, scale) move up above the panel.
    document.body.style.setProperty("--rl-compare-h", box.offsetHeight + "px");
  }

  // ---------------------------------------------------------------------------------------
  // Footer: sources, drive-time basis, OpenStreetMap attribution
  // ---------------------------------------------------------------------------------------

  function buildFooter() {
    const d = S.data;
    S.el.osm = el("span", { className: "rl-osm", hidden: true, text: " · " + t("osm") });
    S.el.footerLine = el("summary", {}, [
      el("strong", { text: t("sources") + " (" + (d.sources || []).length + ")" }),
      d.drive_times
        ? " · " + t(d.drive_estimated === false ? "drive_times_network" : "drive_times") + t("colon") + d.drive_times
        : "",
      S.el.osm,
    ]);
    const footer = el("footer", { id: "rl-footer", className: "rl-footer" }, [
      el("details", {}, [S.el.footerLine, el("ul", {}, (d.sources || []).map((s) => el("li", { text: s })))]),
    ]);
    document.body.appendChild(footer);
  }

  function updateFooter() {
    S.el.osm.hidden = !(S.layers.tiles && S.map.hasLayer(S.layers.tiles));
  }

  // ---------------------------------------------------------------------------------------
  // Map layers: village polygons, rank markers, airports, point layers, tiles, legend
  // ---------------------------------------------------------------------------------------

  /** Fill and outline of village i in the current view (score, or a criterion's utility). */
  function styleOf(i) {
    const r = S.result;
    const excluded = r.excluded[i];
    let fill;
    if (S.view === "score") {
      fill = excluded ? EXCLUDED_COLOUR : r.score[i] === null ? NO_DATA_COLOUR : colour(r.score[i] / 100);
    } else {
      const u = r.util[i][S.view];
      fill = u === null ? NO_DATA_COLOUR : colour(u);
    }
    const selected = S.selected === i;
    return {
      fillColor: fill,
      fillOpacity: excluded && S.view === "score" ? 0.55 : 0.78,
      color: selected ? "#000000" : excluded ? "#616161" : "#555555",
      weight: selected ? 3 : excluded ? 1 : 0.6,
      dashArray: excluded ? "4 3" : null,
    };
  }

  function restyle(i) {
    if (S.polygons[i]) S.polygons[i].setStyle(styleOf(i));
  }

  /** The polygon tooltip: name, then the score or the criterion shown. */
  function tooltipOf(i) {
    const r = S.result;
    const v = S.data.villages[i];
    let line;
    if (S.view === "score") {
      const rank = r.rank[i] !== null ? " · " + t("rank") + " " + r.rank[i] : "";
      line = r.excluded[i] ? t("excluded") : r.score[i] === null ? t("no_data")
        : t("score") + t("colon") + formatScore(r.score[i]) + rank;
    } else {
      const c = S.data.criteria[S.view];
      line = c.label + t("colon") + formatValue(v.v[c.col], c.unit);
    }
    return el("div", { className: "rl-tip" }, [el("strong", { text: v.name }), el("br"), line]);
  }

  function drawPolygons() {
    const layer = L.geoJSON(S.data.shapes, {
      className: "rl-village",
      onEachFeature: (feature, path) => {
        const i = feature.properties.i;
        S.polygons[i] = path;
        S.reps[i] = feature.geometry;
        path.bindTooltip(() => tooltipOf(i), { sticky: true });
        path.on("click", () => selectVillage(i, false));
        path.on("mouseover", () => path.setStyle({ weight: 2.5, color: "#000000" }));
        path.on("mouseout", () => restyle(i));
      },
    });
    layer.addTo(S.map);
    S.layers.polygons = layer;
  }

  /** A point inside village i, as a Leaflet LatLng (computed once). */
  function anchorOf(i) {
    const g = S.reps[i];
    if (!g) return null;
    if (!Array.isArray(g)) S.reps[i] = representativePoint(g) || [];
    const p = S.reps[i];
    return p.length === 2 ? L.latLng(p[1], p[0]) : null;
  }

  /** The rank markers of the top villages, redrawn at each re-score. */
  function renderRankMarkers() {
    const group = S.layers.ranks;
    group.clearLayers();
    for (const i of topIndices()) {
      const at = anchorOf(i);
      if (!at) continue;
      const rank = S.result.rank[i];
      const icon = L.divIcon({ className: "rl-rank", iconSize: [26, 26], html: el("span", { text: rank }) });
      const marker = L.marker(at, { icon: icon, zIndexOffset: 1000 - rank, keyboard: true });
      marker.bindTooltip(() => el("span", {
        text: rank + ". " + S.data.villages[i].name + " · " + formatScore(S.result.score[i]),
      }));
      marker.on("click", () => selectVillage(i, false));
      group.addLayer(marker);
    }
  }

  function drawAirports() {
    const group = L.layerGroup();
    for (const a of S.data.airports || []) {
      const marker = L.circleMarker([a.lat, a.lon], {
        radius: 6, color: "#ffffff", weight: 2, fillColor: "#b2182b", fillOpacity: 1, className: "rl-airport",
      });
      marker.bindTooltip(el("span", { text: a.iata }), {
        permanent: true, direction: "right", offset: [6, 0], className: "rl-airport-label",
      });
      marker.bindPopup(el("div", { className: "rl-pop" }, [
        el("strong", { text: a.name + " (" + a.iata + ")" }), a.city ? el("div", { text: a.city }) : null,
      ]));
      group.addLayer(marker);
    }
    group.addTo(S.map);
    return group;
  }

  /** One overlay per point source (stations, post offices...), drawn on a canvas. */
  function drawPointLayers() {
    const renderer = L.canvas({ padding: 0.3 });
    return (S.data.layers || []).map((layer, k) => {
      const group = L.layerGroup();
      const fill = POINT_COLOURS[k % POINT_COLOURS.length];
      for (const item of layer.items || []) {
        const marker = L.circleMarker([item[1], item[0]], {
          renderer: renderer, radius: 4, color: "#ffffff", weight: 1, fillColor: fill, fillOpacity: 0.95,
        });
        marker.bindTooltip(() => el("span", { text: item[2] || layer.label }));
        group.addLayer(marker);
      }
      const name = layer.label + " (" + (layer.items || []).length + ")";
      return { name: name, layer: group, fill: fill, source: layer.source };
    });
  }

  /** The areas within 30, 45, 60 minutes of each airport on the road network (when loaded). */
  function drawIsochrones() {
    const zones = S.data.isochrones || [];
    if (!zones.length) return null;
    const colours = { 30: "#1b7837", 45: "#fdb863", 60: "#b2182b" };
    const group = L.layerGroup();
    zones.slice().sort((a, b) => b.minutes - a.minutes).forEach((zone) => {
      const layer = L.geoJSON(zone.geometry, {
        style: { color: colours[zone.minutes] || "#555555", weight: 1.5, fillOpacity: 0.08, interactive: true },
      });
      layer.bindTooltip(() => el("span", { text: zone.label }));
      group.addLayer(layer);
    });
    return group;
  }

  function buildLegend() {
    const legend = L.control({ position: "bottomleft" });
    legend.onAdd = () => {
      S.el.legend = el("div", { className: "rl-legend leaflet-control" });
      L.DomEvent.disableClickPropagation(S.el.legend);
      L.DomEvent.disableScrollPropagation(S.el.legend);
      renderLegend();
      return S.el.legend;
    };
    legend.addTo(S.map);
  }

  function renderLegend() {
    const box = clear(S.el.legend);
    const scoreView = S.view === "score";
    const title = scoreView ? t("score_layer") : S.data.criteria[S.view].label + " · " + t("utility_layer");
    const ticks = scoreView ? [0, 50, 100] : [0, 0.5, 1];
    const bar = el("div", { className: "rl-legend-bar" });
    bar.style.background = "linear-gradient(to right, " + VIRIDIS.join(", ") + ")";
    box.appendChild(el("div", { className: "rl-legend-title", text: title }));
    box.appendChild(bar);
    const tickLabels = ticks.map((x) => el("span", { text: S.formats.tick.format(x) }));
    box.appendChild(el("div", { className: "rl-legend-ticks" }, tickLabels));
    box.appendChild(el("div", { className: "rl-legend-item" }, [
      el("i", { className: "rl-swatch rl-swatch-excluded" + (scoreView ? "" : " rl-swatch-outline") }),
      scoreView ? t("legend_excluded") : t("legend_excluded_outline"),
    ]));
    box.appendChild(el("div", { className: "rl-legend-item" }, [
      el("i", { className: "rl-swatch rl-swatch-nodata" }), t("legend_no_data"),
    ]));
  }

  /** Our own layer control: base layers = score and each criterion; overlays = the rest. */
  function buildLayerControl(airports, points) {
    const base = {};
    const views = new Map();
    const scoreLayer = L.layerGroup();
    base[escapeHtml(t("score_layer"))] = scoreLayer;
    views.set(scoreLayer, "score");
    S.data.criteria.forEach((c, j) => {
      const layer = L.layerGroup();
      base[escapeHtml(c.label)] = layer;
      views.set(layer, j);
    });
    scoreLayer.addTo(S.map);
    const overlays = {};
    overlays[escapeHtml(t("rank_markers", { n: S.data.top }))] = S.layers.ranks;
    if ((S.data.airports || []).length) overlays[escapeHtml(t("airports"))] = airports;
    for (const p of points) overlays[escapeHtml(p.name)] = p.layer;
    const zones = drawIsochrones();
    if (zones) overlays[escapeHtml(t("isochrones"))] = zones;
    if (S.layers.tiles) overlays[escapeHtml(t("base_map"))] = S.layers.tiles;
    L.control.layers(base, overlays, { collapsed: isSmallScreen(), position: "topright" }).addTo(S.map);
    S.map.on("baselayerchange", (e) => {
      if (!views.has(e.layer)) return;
      S.view = views.get(e.layer);
      S.polygons.forEach((_, i) => restyle(i));
      renderLegend();
    });
    S.map.on("overlayadd overlayremove", updateFooter);
  }

  // ---------------------------------------------------------------------------------------
  // Re-scoring and the public API
  // ---------------------------------------------------------------------------------------

  /** Score again with the current weights and switches, then redraw everything that shows it. */
  function rescore() {
    S.result = scoreAll(S.data, S.weights, S.switches);
    S.polygons.forEach((_, i) => restyle(i));
    renderRankMarkers();
    renderTop();
    renderCounts();
    if (S.selected !== null) renderCard(S.selected);
    renderCompare();
  }

  /** Warn (not fail) if the page's first ranking is not the one Python computed. */
  function checkPythonOrder() {
    const py = S.data.python_order;
    if (!Array.isArray(py)) return;
    const mine = ranking();
    const n = Math.max(py.length, mine.length);
    for (let k = 0; k < n; k++) {
      if (py[k] !== mine[k]) {
        console.warn("relocate: the page ranks " + mine[k] + " at position " + (k + 1) +
          " where Python ranked " + py[k] + "; the page's scoring differs from relocate's.");
        return;
      }
    }
  }

  function ranking() {
    return S.result ? S.result.order.map((i) => S.data.villages[i].insee) : [];
  }

  function ranks() {
    const out = {};
    if (S.result) S.data.villages.forEach((v, i) => { out[v.insee] = S.result.rank[i]; });
    return out;
  }

  function excluded() {
    return S.result ? S.data.villages.filter((_, i) => S.result.excluded[i]).map((v) => v.insee) : [];
  }

  function weights() {
    return Object.assign({}, S.weights);
  }

  /** Set a criterion's weight as moving its slider does. */
  function setWeight(name, w) {
    const input = document.querySelector('input[type=range][data-criterion="' + CSS.escape(name) + '"]');
    if (!input || !(name in S.weights)) {
      console.warn("relocate: no criterion " + name + " on this map");
      return;
    }
    input.value = w;
    S.weights[name] = Number(w);
    input.previousElementSibling.querySelector("output").textContent = S.formats.weight.format(Number(w));
    rescore();
  }

  /** Draw the page on a Leaflet map from DATA (see the contract). */
  function start(map, data) {
    S.map = map;
    S.data = data;
    setUpFormats(data.lang);
    document.documentElement.lang = data.lang || "fr";
    data.villages.forEach((v, i) => { S.byInsee[v.insee] = i; });
    S.names = data.villages.map((v) => {
      const full = normalise(v.name);
      return { full: full, bare: withoutArticle(full) };
    });
    for (const c of data.criteria) S.weights[c.name] = c.weight;
    for (const c of data.constraints) S.switches[c.name] = true;
    S.result = scoreAll(data, S.weights, S.switches);

    document.body.classList.add("rl-app");
    map.getContainer().classList.add("rl-map");
    buildPanel();
    buildCard();
    buildCompare();
    buildFooter();

    if (global.navigator && global.navigator.onLine) {
      S.layers.tiles = L.tileLayer(OSM_URL, { attribution: OSM_ATTRIBUTION, maxZoom: 19 }).addTo(map);
    }
    drawPolygons();
    S.layers.ranks = L.layerGroup().addTo(map);
    const airports = drawAirports();
    const points = drawPointLayers();
    buildLayerControl(airports, points);
    buildLegend();
    updateFooter();

    if (isSmallScreen()) setPanelOpen(false);
    measure();
    // Half zoom levels let the département fill the window.
    if (map.options.zoomSnap === 1) map.options.zoomSnap = 0.5;
    const bounds = S.layers.polygons.getBounds();
    if (bounds.isValid()) map.fitBounds(bounds, { padding: [10, 10], animate: false });
    rescore();
    checkPythonOrder();
    document.addEventListener("keydown", (e) => { if (e.key === "Escape" && S.selected !== null) closeCard(); });
    global.addEventListener("resize", measure);
    api.ready = true;
  }

  const api = {
    start: start,
    ready: false,
    ranking: ranking,
    ranks: ranks,
    excluded: excluded,
    weights: weights,
    setWeight: setWeight,
    /** Pure functions, for tests. */
    core: { rint, roundHalfEven, utility, numpySum, scoreAll, normalise, withoutArticle, colour, representativePoint },
  };
  global.relocateMap = api;
})(typeof window !== "undefined" ? window : globalThis);
