/*
 * controls.js: the map page's Leaflet controls, each holding its own state.
 *
 *   Panel    title, search, top list, weight sliders, constraint switches, unavailable
 *            criteria; owns the weights, the switches and whether it is open.
 *   Card     one village's card; owns which village it shows.
 *   Compare  up to three villages side by side; owns which ones.
 *   Legend   the colour scale of the view shown; owns that view.
 *   Footer   the sources, the drive-time basis, the OpenStreetMap credit when tiles show.
 *
 * They are L.Control.extend({...}) with L.Evented mixed in: the app (app.js) gives them DATA
 * and each scoring result, and listens to their events ("change", "select", "compare",
 * "close", "toggle"); no control reads another's state or a global one. The panel, card,
 * compare view and footer sit in Leaflet's control corners but are laid out on the page
 * (position: fixed, see relocate-map.css).
 *
 * Also here, in the namespace `relocateControls`: the helpers they share (texts and number
 * formats of the page's language, the text-only DOM helper `el`, the colour scale). Every
 * text from DATA goes into the page with textContent or createTextNode, never as HTML.
 */
(function (global) {
  "use strict";

  const L = global.L;
  const scoring = global.relocateScore;

  /** Viridis at five stops: ordered, colour-blind safe, legible in greyscale. */
  const VIRIDIS = ["#440154", "#3b528b", "#21918c", "#5ec962", "#fde725"];
  const SMALL_SCREEN = "(max-width: 700px)";
  const MAX_SEARCH_RESULTS = 10;

  // ---------------------------------------------------------------------------------------
  // Shared helpers
  // ---------------------------------------------------------------------------------------

  /**
   * Create an element: props.text -> textContent, className, on<event> -> listener, others
   * -> attributes (true: present, false/null: absent). Children: nodes or strings (as text).
   * @returns {HTMLElement}
   */
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

  /** Make an element act as a button (click, Enter, Space). */
  function actionable(node, action) {
    node.setAttribute("tabindex", "0");
    node.setAttribute("role", "button");
    node.addEventListener("click", action);
    node.addEventListener("keydown", (e) => {
      if (e.key === "Enter" || e.key === " ") {
        e.preventDefault();
        action();
      }
    });
    return node;
  }

  /** Clicks, drags and wheel turns on a control are the control's, not the map's. */
  function isolate(node) {
    L.DomEvent.disableClickPropagation(node);
    L.DomEvent.disableScrollPropagation(node);
    return node;
  }

  function isSmallScreen() {
    return global.matchMedia ? global.matchMedia(SMALL_SCREEN).matches : false;
  }

  /** The colour of x in [0, 1]: linear between the viridis stops. */
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

  function hasBound(b) {
    return b !== null && b !== undefined;
  }

  /**
   * The texts and number formats of a page, in its language (DATA.lang, DATA.t), whatever
   * the browser's. Units come with each feature entry of DATA (`unit`: symbol, integer, flag).
   * @param {Object} data DATA: its `lang` and its texts `t`
   */
  function texts(data) {
    const table = data.t || {};
    const locale = data.lang === "fr" ? "fr-FR" : "en-GB";
    const format = (options) => new Intl.NumberFormat(locale, options);
    const number = Object.freeze({
      int: format({ maximumFractionDigits: 0 }),
      one: format({ minimumFractionDigits: 1, maximumFractionDigits: 1 }),
      weight: format({ maximumFractionDigits: 2 }),
      pct: format({ style: "percent", maximumFractionDigits: 0 }),
      tick: format({ maximumFractionDigits: 1 }),
    });

    /** A UI text with {placeholders} filled in (the key itself if the table lacks it). */
    function t(key, params) {
      const text = Object.prototype.hasOwnProperty.call(table, key) ? table[key] : key;
      if (!params) return text;
      return text.replace(/\{(\w+)\}/g, (m, name) => (name in params ? String(params[name]) : m));
    }

    function withUnit(text, unit) {
      const symbol = unit ? unit.symbol : "";
      return symbol ? text + "\u00a0" + symbol : text;
    }

    /** A raw value with its unit, like report.format_value, or "missing". */
    function value(x, unit) {
      if (scoring.isMissing(x)) return t("missing");
      if (unit && unit.flag) return x ? t("yes") : t("no");
      return withUnit((unit && unit.integer ? number.int : number.one).format(x), unit);
    }

    /** A constraint bound: integer units as integers, others with up to 2 decimals. */
    function bound(x, unit) {
      if (unit && unit.integer) return value(x, unit);
      return withUnit(number.weight.format(x), unit);
    }

    return Object.freeze({
      lang: data.lang,
      number: number,
      t: t,
      value: value,
      bound: bound,
      /** A score (or points) with one decimal, a dash when there is none. */
      score: (x) => (scoring.isMissing(x) ? "–" : number.one.format(x)),
      /** "label: at least 150 inhabitants, at most 20 min" for a constraint. */
      constraint: (c) => {
        const parts = [];
        if (hasBound(c.min)) parts.push(t("at_least", { v: bound(c.min, c.unit) }));
        if (hasBound(c.max)) parts.push(t("at_most", { v: bound(c.max, c.unit) }));
        return c.label + t("colon") + parts.join(", ");
      },
      /** Why a village is excluded, for one failed constraint of the scoring result. */
      failure: (f) => t(f.bound === "min" ? "below_min" : "above_max", {
        label: f.c.label,
        value: value(f.x, f.c.unit),
        bound: bound(f.bound === "min" ? f.c.min : f.c.max, f.c.unit),
      }),
      utility: (u) => (u === null ? t("no_data") : t("utility") + t("colon") +
        number.weight.format(u)),
    });
  }

  /** The coloured part of a utility bar. */
  function barFill(u) {
    const fill = el("div", { className: "rl-bar-fill" });
    fill.style.width = u === null ? "0" : (u * 100).toFixed(1) + "%";
    if (u !== null) fill.style.background = colour(u);
    return fill;
  }

  /** A control class: L.Control with events (on, off, fire) for the app to listen to. */
  function control(spec) {
    return L.Control.extend(Object.assign({ includes: L.Evented.prototype }, spec));
  }

  // ---------------------------------------------------------------------------------------
  // Panel: title, search, top list, weights, constraints, unavailable criteria
  // ---------------------------------------------------------------------------------------

  /**
   * The side panel. Owns the weights, the constraint switches and whether it is open.
   * Options: ui (texts(data)), data (DATA).
   * Events: "change" {weights, switches} when a slider, a switch or reset moves them;
   * "select" {index, zoom} when a village is picked from the search or the top list;
   * "toggle" {open} when it opens or folds away.
   */
  const Panel = control({
    options: { position: "topleft", ui: null, data: null },

    initialize: function (options) {
      L.setOptions(this, options);
      const d = this.options.data;
      this._weights = scoring.profileWeights(d);
      this._switches = {};
      for (const c of d.constraints) this._switches[c.name] = true;
      this._open = true;
      this._names = d.villages.map((v) => {
        const full = normalise(v.name);
        return { full: full, bare: withoutArticle(full) };
      });
      this._el = {};
    },

    onAdd: function () {
      const d = this.options.data;
      const t = this.options.ui.t;
      const e = this._el;
      e.toggle = el("button", {
        id: "rl-panel-toggle", type: "button", className: "rl-panel-toggle",
        "aria-controls": "rl-panel-body", "aria-expanded": "true", title: t("hide_panel"),
        onclick: () => this.setOpen(!this._open),
      }, [el("span", { "aria-hidden": "true", text: "☰" })]);
      e.counts = el("p", { className: "rl-counts" });
      e.head = el("header", { className: "rl-panel-head" }, [
        e.toggle,
        el("div", { className: "rl-title" }, [
          el("h1", { text: d.title }),
          el("p", {
            className: "rl-dept", text: d.departement.name + " (" + d.departement.code + ")",
          }),
          e.counts,
        ]),
      ]);
      e.search = el("input", {
        id: "rl-search", type: "search", autocomplete: "off", placeholder: t("search"),
        "aria-label": t("search"), oninput: () => this._renderSearch(),
        onkeydown: (ev) => {
          if (ev.key !== "Enter") return;
          const first = e.results.querySelector("li[data-insee]");
          if (first) first.click();
        },
      });
      e.results = el("ul", { id: "rl-search-results", className: "rl-search-results" });
      e.top = el("ol", { id: "rl-top", className: "rl-top" });
      e.sliders = {};
      e.outputs = {};
      e.switches = {};

      const body = el("div", { id: "rl-panel-body", className: "rl-panel-body" }, [
        d.description ? el("p", { className: "rl-desc", text: d.description }) : null,
        el("div", { className: "rl-search" }, [e.search, e.results]),
        el("section", {}, [el("h2", { text: t("top", { n: d.top }) }), e.top]),
        el("section", {}, [el("h2", { text: t("weights") })].concat(d.criteria.map((c, j) =>
          this._slider(c, j)))),
        d.constraints.length ? el("section", {}, [el("h2", { text: t("constraints") })]
          .concat(d.constraints.map((c, j) => this._switch(c, j)))) : null,
        el("button", {
          id: "rl-reset", type: "button", className: "rl-button", text: t("reset"),
          onclick: () => this.reset(),
        }),
        this._unavailable(),
      ]);
      const panel = el("aside", { id: "rl-panel", className: "rl-panel", "aria-label": t("panel") },
        [e.head, body]);
      return isolate(panel);
    },

    onRemove: function () {
      document.body.classList.remove("rl-panel-collapsed");
    },

    _slider: function (c, j) {
      const w = this._weights[c.name];
      const weight = this.options.ui.number.weight;
      const output = el("output", { for: "rl-w-" + j, text: weight.format(w) });
      const input = el("input", {
        id: "rl-w-" + j, type: "range", min: 0, max: Math.max(10, 2 * w), step: 0.5, value: w,
        "data-criterion": c.name,
        oninput: () => this._moved(c.name),
      });
      this._el.sliders[c.name] = input;
      this._el.outputs[c.name] = output;
      return el("div", { className: "rl-weight" }, [
        el("label", { for: "rl-w-" + j }, [
          el("span", { className: "rl-weight-name", text: c.label }), output,
        ]),
        input,
      ]);
    },

    _switch: function (c, j) {
      const input = el("input", {
        id: "rl-c-" + j, type: "checkbox", className: "rl-switch", checked: true,
        "data-constraint": c.name, "aria-label": this.options.ui.t("applied"),
        onchange: () => {
          this._switches[c.name] = input.checked;
          this._changed();
        },
      });
      this._el.switches[c.name] = input;
      return el("label", { className: "rl-constraint", for: "rl-c-" + j }, [
        input, el("span", { text: this.options.ui.constraint(c) }),
      ]);
    },

    _unavailable: function () {
      const t = this.options.ui.t;
      const items = (this.options.data.unavailable || []).map((u) => el("li", {}, [
        el("strong", { text: u.label }), el("br"), el("span", { text: u.reason }),
      ]));
      if (!items.length) return null;
      return el("section", { className: "rl-unavailable" }, [
        el("h2", { text: t("unavailable_title") }),
        el("p", { className: "rl-note", text: t("unavailable") }),
        el("ul", {}, items),
      ]);
    },

    /** A slider moved: its weight is what the slider now holds. */
    _moved: function (name) {
      const w = parseFloat(this._el.sliders[name].value);
      this._weights[name] = w;
      this._el.outputs[name].textContent = this.options.ui.number.weight.format(w);
      this._changed();
    },

    _changed: function () {
      this.fire("change", { weights: this.weights(), switches: this.switches() });
    },

    /** The weight of each criterion, as the sliders say. */
    weights: function () {
      return Object.assign({}, this._weights);
    },

    /** Whether each constraint is applied, as the switches say. */
    switches: function () {
      return Object.assign({}, this._switches);
    },

    /**
     * Move a criterion's slider to w, as a hand would (so to the slider's nearest step).
     * @returns {boolean} false if no criterion has that name
     */
    setWeight: function (name, w) {
      const input = this._el.sliders && this._el.sliders[name];
      if (!input) return false;
      input.value = String(w);
      this._moved(name);
      return true;
    },

    /** Back to the profile's weights, every constraint applied (one "change"). */
    reset: function () {
      for (const c of this.options.data.criteria) {
        this._weights[c.name] = c.weight;
        this._el.sliders[c.name].value = c.weight;
        this._el.outputs[c.name].textContent = this.options.ui.number.weight.format(c.weight);
      }
      for (const c of this.options.data.constraints) {
        this._switches[c.name] = true;
        this._el.switches[c.name].checked = true;
      }
      this._changed();
    },

    isOpen: function () {
      return this._open;
    },

    /** Open the panel, or fold it away to its head (the map takes the room). */
    setOpen: function (open) {
      const t = this.options.ui.t;
      this._open = Boolean(open);
      document.body.classList.toggle("rl-panel-collapsed", !this._open);
      this._el.toggle.setAttribute("aria-expanded", String(this._open));
      this._el.toggle.setAttribute("title", this._open ? t("hide_panel") : t("show_panel"));
      this.fire("toggle", { open: this._open });
    },

    /** The height of the panel's head (what stays when it is folded). */
    headHeight: function () {
      return this._el.head ? this._el.head.offsetHeight : 0;
    },

    /** Show a scoring result: the counts and the live top list (#rl-top li[data-insee]). */
    showResult: function (result) {
      const d = this.options.data;
      const ui = this.options.ui;
      const excluded = result.excluded.filter(Boolean).length;
      this._el.counts.textContent = ui.t("ranked_count", { n: result.ranked, x: excluded });
      const top = clear(this._el.top);
      for (const i of scoring.topIndices(result, d.top)) {
        const v = d.villages[i];
        top.appendChild(actionable(el("li", { "data-insee": v.insee }, [
          el("span", { className: "rl-top-rank", text: result.rank[i] }),
          el("span", { className: "rl-top-name", text: v.name }),
          el("span", { className: "rl-top-score", text: ui.score(result.score[i]) }),
        ]), () => this.fire("select", { index: i, zoom: true })));
      }
    },

    /** Search: accent- and case-insensitive substring, leading article ignored, at most 10. */
    _renderSearch: function () {
      const e = this._el;
      const raw = e.search.value;
      const box = clear(e.results);
      const q = normalise(raw);
      if (!q) return;
      const qBare = withoutArticle(q);
      const found = [];
      this.options.data.villages.forEach((v, i) => {
        const name = this._names[i];
        const at = name.bare.indexOf(qBare);
        if (at >= 0 || name.full.indexOf(q) >= 0 || v.insee.indexOf(raw.trim()) === 0) {
          found.push({ i: i, first: at === 0 ? 0 : 1, key: name.bare });
        }
      });
      found.sort((a, b) => a.first - b.first || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      if (!found.length) {
        box.appendChild(el("li", { className: "rl-none", text: this.options.ui.t("search_none") }));
        return;
      }
      for (const f of found.slice(0, MAX_SEARCH_RESULTS)) {
        const v = this.options.data.villages[f.i];
        box.appendChild(actionable(el("li", { "data-insee": v.insee }, [
          el("span", { text: v.name }), el("small", { text: " " + v.insee }),
        ]), () => {
          clear(box);
          e.search.value = "";
          this.fire("select", { index: f.i, zoom: true });
        }));
      }
    },
  });

  // ---------------------------------------------------------------------------------------
  // Card: one village
  // ---------------------------------------------------------------------------------------

  /**
   * The village card, a drawer on the right (at the bottom on a phone). Owns which village
   * it shows; told each scoring result and which villages are compared.
   * Options: ui, data.
   * Events: "compare" {index} when its village is to be compared; "close" {index} when it
   * closes (its button or Escape).
   */
  const Card = control({
    options: { position: "topright", ui: null, data: null },

    initialize: function (options) {
      L.setOptions(this, options);
      this._index = null;
      this._result = null;
      this._compared = [];
      this._full = false;
      this._onKey = (e) => {
        if (e.key === "Escape" && this._index !== null) this.close();
      };
    },

    onAdd: function () {
      this._box = el("section", {
        id: "rl-card", className: "rl-card", hidden: true, "aria-live": "polite",
      });
      document.addEventListener("keydown", this._onKey);
      return isolate(this._box);
    },

    onRemove: function () {
      document.removeEventListener("keydown", this._onKey);
      document.body.classList.remove("rl-card-open");
    },

    /** The index of the village shown, or null. */
    index: function () {
      return this._index;
    },

    /** Show village i (with the last result given). */
    show: function (i) {
      this._index = i;
      this._render();
    },

    close: function () {
      const i = this._index;
      if (i === null) return;
      this._index = null;
      this._box.hidden = true;
      document.body.classList.remove("rl-card-open");
      this.fire("close", { index: i });
    },

    /** A new scoring result: the card shows it. */
    update: function (result) {
      this._result = result;
      if (this._index !== null) this._render();
    },

    /** Which villages are compared, and whether the comparison is full. */
    setCompared: function (indices, full) {
      this._compared = indices.slice();
      this._full = Boolean(full);
      if (this._index !== null) this._render();
    },

    width: function () {
      return this._box ? this._box.offsetWidth : 0;
    },

    _render: function () {
      const ui = this.options.ui;
      const t = ui.t;
      const d = this.options.data;
      const r = this._result;
      const i = this._index;
      if (!r) return; // shown once the first result comes
      const v = d.villages[i];
      const card = clear(this._box);
      card.appendChild(el("header", { className: "rl-card-head" }, [
        el("h2", { className: "rl-card-name", text: v.name }),
        el("span", { className: "rl-card-insee", text: v.insee }),
        el("button", {
          type: "button", className: "rl-close", "aria-label": t("close"), title: t("close"),
          text: "×", onclick: () => this.close(),
        }),
      ]));
      card.appendChild(this._standing(r, i));
      card.appendChild(this._compareRow(i));

      // Criteria: value, utility bar, points.
      const rows = d.criteria.map((c, j) => el("tr", {}, [
        el("th", { scope: "row", text: c.label }),
        this._valueCell(c, v),
        el("td", { className: "rl-bar-cell", title: ui.utility(r.util[i][j]) }, [
          el("div", { className: "rl-bar" }, [barFill(r.util[i][j])]),
        ]),
        el("td", { className: "rl-num", text: ui.score(r.points[i][j]) }),
      ]));
      for (const u of d.unavailable || []) {
        rows.push(el("tr", { className: "rl-unavail" }, [
          el("th", { scope: "row", text: u.label }),
          el("td", { colSpan: 3, text: t("unavailable") }),
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
        const pct = ui.number.pct.format(r.coverage[i]);
        card.appendChild(el("p", { className: "rl-note", text: t("coverage", { pct: pct }) }));
      }

      if ((d.facts || []).length) {
        card.appendChild(el("h3", { text: t("other_facts") }));
        card.appendChild(el("table", { className: "rl-facts" }, [el("tbody", {}, d.facts.map((f) =>
          el("tr", {}, [el("th", { scope: "row", text: f.label }), this._valueCell(f, v)])))]));
      }
      card.appendChild(el("h3", { text: t("town_hall") }));
      card.appendChild(this._townHall(v.th || {}));
      card.hidden = false;
      document.body.classList.add("rl-card-open");
    },

    /** Score and rank, or why the village is excluded or not ranked; unchecked constraints. */
    _standing: function (r, i) {
      const ui = this.options.ui;
      const t = ui.t;
      const box = el("div", { className: "rl-standing" });
      if (r.score[i] !== null) {
        box.appendChild(el("p", { className: "rl-card-score" }, [
          t("score") + t("colon"), el("strong", { text: ui.score(r.score[i]) }), t("out_of_100"),
        ]));
      } else {
        box.appendChild(el("p", { className: "rl-note", text: t("no_score") }));
      }
      if (r.rank[i] !== null) {
        const rank = t("rank") + t("colon") + r.rank[i] + " " + t("of") + " " + r.ranked;
        box.appendChild(el("p", { className: "rl-card-rank", text: rank }));
      } else if (r.excluded[i]) {
        box.appendChild(el("p", { className: "rl-excluded", text: t("excluded_by") }));
        box.appendChild(el("ul", { className: "rl-excluded" },
          r.failed[i].map((f) => el("li", { text: ui.failure(f) }))));
      } else {
        box.appendChild(el("p", { className: "rl-note", text: t("not_ranked") }));
      }
      if (r.unchecked[i].length) {
        const labels = r.unchecked[i].map((c) => c.label).join(", ");
        const text = t("not_checked") + t("colon") + labels;
        box.appendChild(el("p", { className: "rl-note", text: text }));
      }
      return box;
    },

    /** The add-to-comparison button: never disabled, a click that cannot add says why. */
    _compareRow: function (i) {
      const t = this.options.ui.t;
      const why = this._compared.indexOf(i) >= 0 ? t("compare_already")
        : this._full ? t("compare_full") : null;
      const note = el("span", { className: "rl-compare-note", role: "status" });
      return el("div", { className: "rl-compare-row" }, [
        el("button", {
          type: "button", className: "rl-compare-add rl-button" + (why ? " rl-muted" : ""),
          text: t("compare_add"), title: why,
          onclick: () => {
            if (why) note.textContent = why;
            else this.fire("compare", { index: i });
          },
        }),
        note,
      ]);
    },

    /** A value cell: formatted value, "(estimate)", source and doubt notes. */
    _valueCell: function (item, v) {
      const ui = this.options.ui;
      const t = ui.t;
      const doubt = v.doubt || {};
      const notes = [];
      // The built-in sources (communes, airports) are in the footer; open data says its edition.
      if (item.source && !item.builtin) notes.push(t("source") + t("colon") + item.source);
      if (doubt[item.name]) notes.push(doubt[item.name]);
      return el("td", { className: "rl-value" }, [
        el("span", { text: ui.value(v.v[item.col], item.unit) }),
        item.estimate ? el("span", { className: "rl-est", text: " (" + t("estimate") + ")" })
          : null,
        notes.length ? el("small", { className: "rl-source", text: notes.join(" · ") }) : null,
      ]);
    },

    /** Town hall: address, phone, e-mail (mailto only if it looks like one), website, hours. */
    _townHall: function (th) {
      const t = this.options.ui.t;
      const rows = [];
      const row = (key, value) => rows.push(el("div", {}, [
        el("dt", { text: t(key) }), el("dd", {}, [value]),
      ]));
      if (th.address) {
        row("address", el("span", { text: String(th.address).replace(/\s+/g, " ").trim() }));
      }
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
    },
  });

  // ---------------------------------------------------------------------------------------
  // Compare: up to `max` villages side by side
  // ---------------------------------------------------------------------------------------

  /**
   * The comparison, above the footer. Owns which villages it compares (at most options.max).
   * Options: ui, data, max (3).
   * Events: "change" {indices, full} when a village is added or removed; "select" {index, zoom}
   * when a village's name is clicked.
   */
  const Compare = control({
    options: { position: "bottomright", ui: null, data: null, max: 3 },

    initialize: function (options) {
      L.setOptions(this, options);
      this._indices = [];
      this._result = null;
    },

    onAdd: function () {
      this._box = el("section", { id: "rl-compare", className: "rl-compare", hidden: true });
      return isolate(this._box);
    },

    onRemove: function () {
      document.body.classList.remove("rl-compare-open");
    },

    /** The villages compared, in the order they were added. */
    indices: function () {
      return this._indices.slice();
    },

    has: function (i) {
      return this._indices.indexOf(i) >= 0;
    },

    isFull: function () {
      return this._indices.length >= this.options.max;
    },

    /** @returns {boolean} whether i was added (not if compared already, or full) */
    add: function (i) {
      if (this.has(i) || this.isFull()) return false;
      this._indices.push(i);
      this._changed();
      return true;
    },

    remove: function (i) {
      if (!this.has(i)) return;
      this._indices = this._indices.filter((k) => k !== i);
      this._changed();
    },

    /** A new scoring result: the comparison shows it. */
    update: function (result) {
      this._result = result;
      this._render();
    },

    /** Its height on the page (0 when hidden). */
    height: function () {
      return this._box && !this._box.hidden ? this._box.offsetHeight : 0;
    },

    _changed: function () {
      this._render();
      this.fire("change", { indices: this.indices(), full: this.isFull() });
    },

    _render: function () {
      const box = clear(this._box);
      box.hidden = this._indices.length === 0 || !this._result;
      document.body.classList.toggle("rl-compare-open", !box.hidden);
      if (box.hidden) return;
      const ui = this.options.ui;
      const t = ui.t;
      const r = this._result;
      const d = this.options.data;
      const shown = this._indices;
      // A row: its header, then one cell per village compared.
      const row = (label, cell) => el("tr", {}, [el("th", { scope: "row", text: label })]
        .concat(shown.map((i) => el("td", {}, cell(i)))));
      const head = el("tr", {}, [el("th", { text: t("compare") })].concat(shown.map((i) => {
        const name = d.villages[i].name;
        return el("th", { className: "rl-compare-village", "data-insee": d.villages[i].insee }, [
          actionable(el("span", { className: "rl-compare-name", text: name }),
            () => this.fire("select", { index: i, zoom: true })),
          el("button", {
            type: "button", className: "rl-compare-remove", title: t("remove"),
            "aria-label": t("remove") + " " + name, text: "×", onclick: () => this.remove(i),
          }),
        ]);
      })));
      const standing = (i) => (r.rank[i] !== null ? r.rank[i] + " " + t("of") + " " + r.ranked
        : r.excluded[i] ? t("excluded") : t("not_ranked"));
      const rows = [
        row(t("score"), (i) => [ui.score(r.score[i])]),
        row(t("rank"), (i) => [standing(i)]),
      ];
      d.criteria.forEach((c, j) => rows.push(row(c.label, (i) => {
        const p = r.points[i][j];
        return [
          el("span", { text: ui.value(d.villages[i].v[c.col], c.unit) }),
          el("div", { className: "rl-bar", title: ui.utility(r.util[i][j]) }, [
            barFill(r.util[i][j]),
          ]),
          el("small", { text: p === null ? "–" : ui.score(p) + " " + t("points_short") }),
        ];
      })));
      box.appendChild(el("div", { className: "rl-compare-scroll" }, [
        el("table", {}, [el("thead", {}, [head]), el("tbody", {}, rows)]),
      ]));
      // Leaflet's bottom controls (legend, scale) move up above the comparison.
      document.body.style.setProperty("--rl-compare-h", box.offsetHeight + "px");
    },
  });

  // ---------------------------------------------------------------------------------------
  // Legend: the colour scale of the view shown
  // ---------------------------------------------------------------------------------------

  /**
   * The legend of the map's colours. Owns the view it explains: "score", or the index of a
   * criterion whose utility the map shows. Options: ui, data.
   */
  const Legend = control({
    options: { position: "bottomleft", ui: null, data: null },

    initialize: function (options) {
      L.setOptions(this, options);
      this._view = "score";
    },

    onAdd: function () {
      this._box = el("div", { className: "rl-legend" });
      this._render();
      return isolate(this._box);
    },

    view: function () {
      return this._view;
    },

    setView: function (view) {
      this._view = view;
      if (this._box) this._render();
    },

    _render: function () {
      const ui = this.options.ui;
      const t = ui.t;
      const box = clear(this._box);
      const scoreView = this._view === "score";
      const title = scoreView ? t("score_layer")
        : this.options.data.criteria[this._view].label + " · " + t("utility_layer");
      const ticks = scoreView ? [0, 50, 100] : [0, 0.5, 1];
      const bar = el("div", { className: "rl-legend-bar" });
      bar.style.background = "linear-gradient(to right, " + VIRIDIS.join(", ") + ")";
      box.appendChild(el("div", { className: "rl-legend-title", text: title }));
      box.appendChild(bar);
      box.appendChild(el("div", { className: "rl-legend-ticks" },
        ticks.map((x) => el("span", { text: ui.number.tick.format(x) }))));
      box.appendChild(el("div", { className: "rl-legend-item" }, [
        el("i", {
          className: "rl-swatch rl-swatch-excluded" + (scoreView ? "" : " rl-swatch-outline"),
        }),
        scoreView ? t("legend_excluded") : t("legend_excluded_outline"),
      ]));
      box.appendChild(el("div", { className: "rl-legend-item" }, [
        el("i", { className: "rl-swatch rl-swatch-nodata" }), t("legend_no_data"),
      ]));
    },
  });

  // ---------------------------------------------------------------------------------------
  // Footer: sources, drive-time basis, OpenStreetMap credit
  // ---------------------------------------------------------------------------------------

  /**
   * The footer line at the bottom of the page, unfolding to the list of sources. Owns
   * whether the OpenStreetMap credit shows (when the tiles do). Options: ui, data.
   */
  const Footer = control({
    options: { position: "bottomright", ui: null, data: null },

    initialize: function (options) {
      L.setOptions(this, options);
      this._tiles = false;
    },

    onAdd: function () {
      const ui = this.options.ui;
      const t = ui.t;
      const d = this.options.data;
      const sources = d.sources || [];
      this._osm = el("span", {
        className: "rl-osm", hidden: !this._tiles, text: " · " + t("osm"),
      });
      const basis = d.drive_estimated === false ? "drive_times_network" : "drive_times";
      this._line = el("summary", {}, [
        el("strong", { text: t("sources") + " (" + sources.length + ")" }),
        d.drive_times ? " · " + t(basis) + t("colon") + d.drive_times : "",
        this._osm,
      ]);
      return isolate(el("footer", { id: "rl-footer", className: "rl-footer" }, [
        el("details", {}, [this._line, el("ul", {}, sources.map((s) => el("li", { text: s })))]),
      ]));
    },

    /** Say (or not) that the OpenStreetMap tiles show. */
    setTiles: function (shown) {
      this._tiles = Boolean(shown);
      if (this._osm) this._osm.hidden = !this._tiles;
    },

    /** The height of its folded line. */
    lineHeight: function () {
      return this._line ? this._line.offsetHeight : 0;
    },
  });

  global.relocateControls = Object.freeze({
    VIRIDIS: VIRIDIS,
    el: el,
    clear: clear,
    colour: colour,
    normalise: normalise,
    withoutArticle: withoutArticle,
    isSmallScreen: isSmallScreen,
    texts: texts,
    Panel: Panel,
    Card: Card,
    Compare: Compare,
    Legend: Legend,
    Footer: Footer,
  });
})(typeof window !== "undefined" ? window : this);
