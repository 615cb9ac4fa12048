/*
 * controls.js: the map page's Leaflet controls, each holding its own state.
 *
 *   Panel    title, the share of the priorities scored, search, top list (ties, how sure),
 *            weight sliders, constraint switches, what the data cannot say; owns the
 *            weights, the switches and whether it is open.
 *   Card     one village's card (and what the CCI programme says of it, when loaded); owns
 *            which village it shows.
 *   Compare  up to three villages side by side, every value, the best of each row marked;
 *            owns which ones.
 *   Legend   the colours of the view shown (score 0-100, or a criterion in its units) and
 *            the points on the map; owns that view and those points.
 *   Footer   the sources, the drive-time basis, the OpenStreetMap credit when tiles show.
 *
 * They are L.Control.extend({...}) with L.Evented mixed in: the app (app.js) gives them DATA
 * and each scoring result, and listens to their events ("change", "select", "compare",
 * "close", "toggle", "print", "download"); no control reads another's state or a global one.
 * The panel, card, compare view and footer sit in Leaflet's control corners but are laid out
 * on the page (position: fixed, see relocate-map.css).
 *
 * Also here, in the namespace `relocateControls`: the helpers they share (texts and number
 * formats of the page's language, the text-only DOM helper `el`, the colour scales). Every
 * text from DATA goes into the page with textContent or createTextNode, never as HTML.
 */
(function (global) {
  "use strict";

  const L = global.L;
  const scoring = global.relocateScore;
  const core = global.relocateCore;

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

  /**
   * The colour of class c of a criterion's value classes: yellow for the best values
   * (lowest when lower is better), as the score's colours.
   */
  function classColour(classes, c, better) {
    const t = classes.count <= 1 ? 1 : c / (classes.count - 1);
    return colour(better === "lower" ? 1 - t : t);
  }

  function hasBound(b) {
    return b !== null && b !== undefined;
  }

  /** "Trajet vers la ville" -> "trajet vers la ville" (not "TLS" -> "tLS"). */
  function lowerFirst(s) {
    return s.length > 1 && s[1] === s[1].toLowerCase() ? s[0].toLowerCase() + s.slice(1) : s;
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
      bound: format({ maximumFractionDigits: 2 }),
    });
    const lists = global.Intl && Intl.ListFormat ? new Intl.ListFormat(locale,
      { style: "long", type: "conjunction" }) : null;

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

    /**
     * A raw value with its unit, like card.shown_value, or "missing". A count of programme
     * members below unit.below (given as 0) reads "fewer than 3", never 0.
     */
    function value(x, unit) {
      if (scoring.isMissing(x)) return t("missing");
      if (unit && unit.flag) return x ? t("yes") : t("no");
      if (unit && unit.below && x < unit.below) {
        return t("fewer_than", { k: number.int.format(unit.below) });
      }
      return withUnit((unit && unit.integer ? number.int : number.one).format(x), unit);
    }

    /** A constraint bound: integer units as integers, others with up to 2 decimals. */
    function bound(x, unit) {
      if (unit && unit.integer) return value(x, unit);
      return withUnit(number.bound.format(x), unit);
    }

    /** The name (and commune) of the nearest place an item measures to, or null. */
    function place(item, v) {
      if (item.place === null || item.place === undefined || !v.n) return null;
      const ref = v.n[item.place];
      return ref === null || ref === undefined ? null : data.strings[ref];
    }

    return Object.freeze({
      lang: data.lang,
      number: number,
      t: t,
      value: value,
      bound: bound,
      place: place,
      withUnit: withUnit,
      /** "a, b and c" in the page's language. */
      list: (items) => (lists ? lists.format(items) : items.join(", ")),
      /** A share (0-1) as a whole percentage. */
      pct: (x) => number.pct.format(x),
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
      satisfaction: (u) => (u === null ? t("no_data") : t("satisfaction") + t("colon") +
        number.pct.format(u)),
    });
  }

  /** The coloured part of a satisfaction bar. */
  function barFill(u) {
    const fill = el("div", { className: "rl-bar-fill" });
    fill.style.width = u === null ? "0" : (u * 100).toFixed(1) + "%";
    if (u !== null) fill.style.background = colour(u);
    return fill;
  }

  /** A value, with the name of the place it is measured to when there is one. */
  function valueWithPlace(ui, item, v) {
    const where = ui.place(item, v);
    return el("span", { className: "rl-v" }, [
      el("span", { text: ui.value(v.v[item.col], item.unit) }),
      where ? el("span", { className: "rl-place", text: " · " + where }) : null,
    ]);
  }

  /**
   * What a village's robustness figures say, or null: "in the top 10 for 82 % of plausible
   * weightings, rank 4 to 13".
   */
  function robustText(ui, robust, i) {
    if (!robust || robust.p[i] === null || robust.p[i] === undefined) return null;
    const lo = robust.lo[i];
    const hi = robust.hi[i];
    if (lo === null || hi === null) return null;
    const params = { n: robust.top, pct: ui.pct(robust.p[i]), low: lo, high: hi };
    return ui.t(lo === hi ? "robust_line_one" : "robust_line", params);
  }

  /** The button that prints a card or a comparison on its own. */
  function printButton(ui, action) {
    return el("button", {
      type: "button", className: "rl-print-button", title: ui.t("print"), text: ui.t("print"),
      onclick: action,
    });
  }

  /** A control class: L.Control with events (on, off, fire) for the app to listen to. */
  function control(spec) {
    return L.Control.extend(Object.assign({ includes: L.Evented.prototype }, spec));
  }

  // ---------------------------------------------------------------------------------------
  // Panel: title, share scored, search, top list, weights, constraints, what is missing
  // ---------------------------------------------------------------------------------------

  /**
   * The side panel. Owns the weights, the constraint switches and whether it is open.
   * Options: ui (texts(data)), data (DATA).
   * Events: "change" {weights, switches} when a slider, a switch or reset moves them;
   * "select" {index, zoom} when a village is picked from the search or the top list;
   * "toggle" {open} when it opens or folds away; "download" {weights, switches} when the
   * household asks for the profile as a file.
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
      this._restored = false;
      this._index = core.searchIndex(d.villages);
      this._active = -1;
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
      e.share = el("p", { id: "rl-share", className: "rl-share" });
      e.low = el("p", { id: "rl-share-low", className: "rl-share-low", role: "note" });
      e.head = el("header", { className: "rl-panel-head" }, [
        e.toggle,
        el("div", { className: "rl-title" }, [
          el("h1", { text: d.title }),
          e.share,
          e.low,
          el("p", {
            className: "rl-dept", text: d.departement.name + " (" + d.departement.code + ")",
          }),
          e.counts,
        ]),
      ]);
      e.search = el("input", {
        id: "rl-search", type: "search", autocomplete: "off", placeholder: t("search"),
        "aria-label": t("search"), role: "combobox", "aria-autocomplete": "list",
        "aria-controls": "rl-search-results", "aria-expanded": "false",
        oninput: () => this._renderSearch(),
        onkeydown: (ev) => this._searchKey(ev),
      });
      e.results = el("ul", {
        id: "rl-search-results", className: "rl-search-results", role: "listbox",
      });
      e.top = el("ol", { id: "rl-top", className: "rl-top" });
      e.ties = el("p", { id: "rl-ties", className: "rl-note rl-ties" });
      e.robust = el("div", { id: "rl-robust", className: "rl-robust" });
      e.restored = el("p", { id: "rl-restored", className: "rl-note", hidden: true,
        text: t("restored") });
      e.downloadNote = el("p", { className: "rl-note", role: "status" });
      e.sliders = {};
      e.outputs = {};
      e.switches = {};

      const body = el("div", { id: "rl-panel-body", className: "rl-panel-body" }, [
        d.description ? el("p", { className: "rl-desc", text: d.description }) : null,
        el("div", { className: "rl-search" }, [e.search, e.results]),
        el("section", {}, [el("h2", { text: t("top", { n: d.top }) }), e.ties, e.robust, e.top]),
        el("section", {}, [el("h2", { text: t("weights") })].concat(d.criteria.map((c, j) =>
          this._slider(c, j)))),
        d.constraints.length ? el("section", {}, [el("h2", { text: t("constraints") })]
          .concat(d.constraints.map((c, j) => this._switch(c, j)))) : null,
        el("div", { className: "rl-buttons" }, [
          el("button", {
            id: "rl-reset", type: "button", className: "rl-button", text: t("reset"),
            onclick: () => this.reset(),
          }),
          el("button", {
            id: "rl-download", type: "button", className: "rl-button",
            text: t("download_profile"), onclick: () => this._download(),
          }),
        ]),
        e.restored,
        e.downloadNote,
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

    /** What the data cannot say here, as questions for the household (never a command). */
    _unavailable: function () {
      const t = this.options.ui.t;
      const items = (this.options.data.unavailable || []).map((u) => el("li", {
        "data-criterion": u.name, text: u.text,
      }));
      if (!items.length) return null;
      return el("section", { id: "rl-unavailable", className: "rl-unavailable" }, [
        el("h2", { text: t("unavailable_title") }),
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

    _download: function () {
      const d = this.options.data;
      const positive = d.criteria.some((c) => this._weights[c.name] > 0) ||
        (d.unavailable || []).some((u) => u.weight > 0);
      this._el.downloadNote.textContent = positive ? "" : this.options.ui.t("download_none");
      if (positive) this.fire("download", { weights: this.weights(), switches: this.switches() });
    },

    /** The weight of each criterion, as the sliders say. */
    weights: function () {
      return Object.assign({}, this._weights);
    },

    /** Whether each constraint is applied, as the switches say. */
    switches: function () {
      return Object.assign({}, this._switches);
    },

    /** True while the weights and switches are the profile's own. */
    atProfile: function () {
      const d = this.options.data;
      return d.criteria.every((c) => this._weights[c.name] === c.weight) &&
        d.constraints.every((c) => this._switches[c.name]);
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

    /**
     * Set weights and switches at once (those not named keep theirs), as the sliders hold
     * them; `restored` says they come back from the address or an earlier visit. One
     * "change".
     */
    setState: function (weights, switches, restored) {
      const e = this._el;
      for (const [name, w] of Object.entries(weights || {})) {
        const input = e.sliders[name];
        if (!input) continue;
        if (w > Number(input.max)) input.max = String(w);
        input.value = String(w);
        this._weights[name] = parseFloat(input.value);
        e.outputs[name].textContent = this.options.ui.number.weight.format(this._weights[name]);
      }
      for (const [name, on] of Object.entries(switches || {})) {
        if (!e.switches[name]) continue;
        this._switches[name] = Boolean(on);
        e.switches[name].checked = Boolean(on);
      }
      this._restored = Boolean(restored) && !this.atProfile();
      this._changed();
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
      this._restored = false;
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

    /**
     * Show a scoring result: the share of the priorities it covers, the counts, the ties
     * at the top and the live top list (#rl-top li[data-insee]).
     */
    showResult: function (result) {
      const d = this.options.data;
      const ui = this.options.ui;
      const e = this._el;
      const excluded = result.excluded.filter(Boolean).length;
      e.counts.textContent = ui.t("ranked_count", { n: result.ranked, x: excluded });
      this._showShare();
      e.restored.hidden = !this._restored || this.atProfile();
      const ties = scoring.topTies(result);
      const best = scoring.topIndices(result, 1)[0];
      const tieScore = ties > 1 ? ui.score(result.score[best]) : "";
      e.ties.textContent = ties > 1 ? ui.t("ties_top", { n: ties, score: tieScore }) : "";
      e.ties.hidden = ties < 2;
      this._showRobustNote();
      const shared = scoring.sharedRanks(result);
      const count = {};
      for (const r of shared) if (r !== null) count[r] = (count[r] || 0) + 1;
      const top = clear(e.top);
      for (const i of scoring.topIndices(result, d.top)) {
        const v = d.villages[i];
        const tied = count[shared[i]] > 1;
        const robust = robustText(ui, d.robust, i);
        top.appendChild(actionable(el("li", { "data-insee": v.insee }, [
          el("span", { className: "rl-top-rank" + (tied ? " rl-tied" : ""), text: shared[i] }),
          el("span", { className: "rl-top-main" }, [
            el("span", { className: "rl-top-name", text: v.name }),
            robust ? el("small", {
              className: "rl-top-robust" + (this.atProfile() ? "" : " rl-stale"), text: robust,
            }) : null,
          ]),
          el("span", { className: "rl-top-score", text: ui.score(result.score[i]) }),
        ]), () => this.fire("select", { index: i, zoom: true })));
      }
    },

    /** "This ranking covers 56 % of your priorities: ... are not loaded", and the warning. */
    _showShare: function () {
      const d = this.options.data;
      const ui = this.options.ui;
      const e = this._el;
      const found = scoring.scoredShare(d, this._weights);
      const labels = {};
      for (const u of d.unavailable || []) labels[u.name] = lowerFirst(u.label);
      const names = found.unscored.map((n) => labels[n]);
      const pct = ui.pct(found.share);
      let text = "";
      if (names.length === 1) text = ui.t("share_one", { pct: pct, list: names[0] });
      else if (names.length > 1) text = ui.t("share_many", { pct: pct, list: ui.list(names) });
      else if (found.share === 1) text = ui.t("share_all");
      e.share.textContent = text;
      e.share.dataset.share = String(found.share);
      const low = found.share < (d.min_scored_share || 0);
      e.low.textContent = low ? ui.t("share_low") : "";
      e.low.hidden = !low;
    },

    /** Where the robustness figures come from, and that they do not follow the sliders. */
    _showRobustNote: function () {
      const robust = this.options.data.robust;
      const box = clear(this._el.robust);
      if (!robust) return;
      const t = this.options.ui.t;
      const samples = this.options.ui.number.int.format(robust.samples);
      box.appendChild(el("p", { className: "rl-note", text: t("robust_about",
        { samples: samples }) }));
      if (robust.fixed) box.appendChild(el("p", { className: "rl-note", text: t("robust_fixed") }));
      if (!this.atProfile()) {
        box.appendChild(el("p", { className: "rl-note rl-stale-note", text: t("robust_stale") }));
      }
    },

    /** Search: names as the household spells them, near misses too; arrows move, Enter opens. */
    _renderSearch: function () {
      const e = this._el;
      const box = clear(e.results);
      this._active = -1;
      const found = core.searchVillages(this._index, this.options.data.villages, e.search.value,
        MAX_SEARCH_RESULTS);
      e.search.setAttribute("aria-expanded", String(Boolean(e.search.value.trim())));
      e.search.removeAttribute("aria-activedescendant");
      if (!e.search.value.trim()) return;
      if (!found.length) {
        box.appendChild(el("li", { className: "rl-none", text: this.options.ui.t("search_none") }));
        return;
      }
      found.forEach((f, k) => {
        const v = this.options.data.villages[f.i];
        box.appendChild(el("li", {
          id: "rl-sr-" + k, role: "option", "aria-selected": "false", "data-insee": v.insee,
          className: f.near ? "rl-near" : null, onclick: () => this._pick(f.i),
        }, [el("span", { text: v.name }), el("small", { text: " " + v.insee })]));
      });
    },

    _pick: function (i) {
      const e = this._el;
      clear(e.results);
      e.search.value = "";
      e.search.setAttribute("aria-expanded", "false");
      e.search.removeAttribute("aria-activedescendant");
      this._active = -1;
      this.fire("select", { index: i, zoom: true });
    },

    /** Arrow keys move through the results, Enter opens the one marked (or the first). */
    _searchKey: function (ev) {
      const e = this._el;
      const items = Array.from(e.results.querySelectorAll("li[data-insee]"));
      if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
        if (!items.length) return;
        ev.preventDefault();
        const step = ev.key === "ArrowDown" ? 1 : -1;
        this._active = (this._active + step + items.length) % items.length;
        items.forEach((li, k) => {
          li.setAttribute("aria-selected", String(k === this._active));
          li.classList.toggle("rl-active", k === this._active);
        });
        e.search.setAttribute("aria-activedescendant", items[this._active].id);
        items[this._active].scrollIntoView({ block: "nearest" });
      } else if (ev.key === "Enter") {
        const item = items[Math.max(0, this._active)];
        if (item) item.click();
      } else if (ev.key === "Escape") {
        e.search.value = "";
        this._renderSearch();
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
   * closes (its button or Escape); "print" {node} when it is to be printed on its own.
   */
  const Card = control({
    options: { position: "topright", ui: null, data: null },

    initialize: function (options) {
      L.setOptions(this, options);
      this._index = null;
      this._result = null;
      this._weights = null;
      this._atProfile = true;
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

    /**
     * A new scoring result, the weights it was scored with, and whether they are the
     * profile's (the robustness figures are for those): the card shows it.
     */
    update: function (result, weights, atProfile) {
      this._result = result;
      this._weights = weights || null;
      this._atProfile = atProfile !== false;
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
        printButton(ui, () => this.fire("print", { node: this._box })),
        el("button", {
          type: "button", className: "rl-close", "aria-label": t("close"), title: t("close"),
          text: "×", onclick: () => this.close(),
        }),
      ]));
      card.appendChild(this._standing(r, i));
      card.appendChild(this._share(r, i));
      card.appendChild(this._compareRow(i));

      // Criteria: value, satisfaction bar, points; then what cannot be scored here.
      const rows = d.criteria.map((c, j) => el("tr", {}, [
        el("th", { scope: "row", text: c.label }),
        this._valueCell(c, v),
        el("td", { className: "rl-bar-cell", title: ui.satisfaction(r.util[i][j]) }, [
          el("div", { className: "rl-bar" }, [barFill(r.util[i][j])]),
        ]),
        el("td", { className: "rl-num", text: ui.score(r.points[i][j]) }),
      ]));
      for (const u of d.unavailable || []) {
        if (u.weight === null || u.weight === undefined) continue;
        rows.push(el("tr", { className: "rl-unavail" }, [el("td", { colSpan: 4, text: u.text })]));
      }
      card.appendChild(el("table", { className: "rl-criteria" }, [
        el("thead", {}, [el("tr", {}, [
          el("th", { text: t("criterion") }), el("th", { text: t("value") }),
          el("th", { text: t("satisfaction") }),
          el("th", { className: "rl-num", text: t("points") }),
        ])]),
        el("tbody", {}, rows),
      ]));

      const programme = this._programme(i);
      if (programme) card.appendChild(programme);
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

    /**
     * What the CCI programme says of village i (DATA.programme, when its data is loaded):
     * its members as counts (never a name), its upcoming events nearby with their dates,
     * the field notes still valid with theirs. null when there is nothing to say.
     */
    _programme: function (i) {
      const t = this.options.ui.t;
      const p = this.options.data.programme;
      const mine = p && p.villages ? p.villages[i] : null;
      if (!mine) return null;
      const text = (ref) => (ref === null || ref === undefined ? null : p.texts[ref]);
      const lines = (refs) => (refs || []).map(text).filter((x) => x !== null);
      const box = el("section", { className: "rl-programme" }, [
        el("h3", { text: t("programme") }),
      ]);
      const members = lines(mine.m);
      if (members.length) {
        box.appendChild(el("div", { className: "rl-programme-members" },
          members.map((line) => el("p", { text: line }))));
        box.appendChild(el("p", { className: "rl-note", text: t("programme_privacy",
          { k: p.k }) }));
      }
      const events = lines(mine.e);
      if (events.length) {
        const items = events.map((line) => el("li", { text: line }));
        if (mine.more) {
          items.push(el("li", { className: "rl-note", text: mine.more === 1
            ? t("programme_more_one") : t("programme_more_many", { n: mine.more }) }));
        }
        box.appendChild(el("h4", { text: t("programme_events", { minutes: p.within_min }) }));
        box.appendChild(el("ul", { className: "rl-programme-events" }, items));
      }
      const notes = lines(mine.n);
      if (notes.length) {
        box.appendChild(el("h4", { text: t("programme_notes") }));
        box.appendChild(el("ul", { className: "rl-programme-notes" },
          notes.map((line) => el("li", { text: line }))));
      }
      return box;
    },

    /** Score and rank (shared when tied), or why it is excluded or not ranked; how sure. */
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
        const shared = scoring.sharedRanks(r);
        const others = shared.filter((x) => x === shared[i]).length - 1;
        let rank = t("rank") + t("colon") + shared[i] + " " + t("of") + " " + r.ranked;
        if (others > 0) {
          rank += ", " + (others === 1 ? t("tied_one") : t("tied_many", { n: others }));
        }
        box.appendChild(el("p", { className: "rl-card-rank", text: rank }));
      } else if (r.excluded[i]) {
        box.appendChild(el("p", { className: "rl-excluded", text: t("excluded_by") }));
        box.appendChild(el("ul", { className: "rl-excluded" },
          r.failed[i].map((f) => el("li", { text: ui.failure(f) }))));
      } else {
        box.appendChild(el("p", { className: "rl-note", text: t("not_ranked") }));
      }
      const robust = robustText(ui, this.options.data.robust, i);
      if (robust) {
        box.appendChild(el("p", { className: "rl-card-robust" }, [robust]));
        if (!this._atProfile) {
          box.appendChild(el("p", { className: "rl-note rl-stale-note", text: t("robust_stale") }));
        }
      }
      if (r.unchecked[i].length) {
        const labels = r.unchecked[i].map((c) => c.label).join(", ");
        const text = t("not_checked") + t("colon") + labels;
        box.appendChild(el("p", { className: "rl-note", text: text }));
      }
      return box;
    },

    /** How much of the priorities this village's score covers, and what it lacks. */
    _share: function (r, i) {
      const ui = this.options.ui;
      const d = this.options.data;
      const box = el("div", { className: "rl-card-share" });
      const found = scoring.scoredShare(d, this._weights || undefined);
      const share = found.share * r.coverage[i];
      box.appendChild(el("p", { className: "rl-share", text: ui.t("card_share", {
        pct: ui.pct(share),
      }) }));
      const weights = this._weights || {};
      const lacking = d.criteria.filter((c, j) => r.util[i][j] === null &&
        (Object.prototype.hasOwnProperty.call(weights, c.name) ? weights[c.name] : c.weight) > 0);
      // The town hall can say what open data lacks; the programme's advisor, its own notes.
      const atTownHall = lacking.filter((c) => !c.programme).map((c) => lowerFirst(c.label));
      const ofProgramme = lacking.filter((c) => c.programme).map((c) => lowerFirst(c.label));
      if (atTownHall.length) {
        box.appendChild(el("p", { className: "rl-note", text: ui.t("card_missing", {
          list: ui.list(atTownHall),
        }) }));
      }
      if (ofProgramme.length) {
        box.appendChild(el("p", { className: "rl-note", text: ui.t("card_missing_programme", {
          list: ui.list(ofProgramme),
        }) }));
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

    /** A value cell: value and nearest place, "(estimate)", source and doubt notes. */
    _valueCell: function (item, v) {
      const ui = this.options.ui;
      const t = ui.t;
      const doubt = v.doubt || {};
      const notes = [];
      // The built-in sources (communes, airports) are in the footer; open data says its edition.
      if (item.source && !item.builtin) notes.push(t("source") + t("colon") + item.source);
      if (doubt[item.name]) notes.push(doubt[item.name]);
      return el("td", { className: "rl-value" }, [
        valueWithPlace(ui, item, v),
        item.estimate ? el("span", { className: "rl-est", text: " (" + t("estimate") + ")" })
          : null,
        notes.length ? el("small", { className: "rl-source", text: notes.join(" · ") }) : null,
      ]);
    },

    /** Town hall: the mayor, address, phone, e-mail (mailto only if it looks like one),
     * website, hours. */
    _townHall: function (th) {
      const t = this.options.ui.t;
      const rows = [];
      const row = (key, value) => rows.push(el("div", {}, [
        el("dt", { text: t(key) }), el("dd", {}, [value]),
      ]));
      if (th.mayor && th.mayor.name) {
        const since = th.mayor.since ? ", " + th.mayor.since : "";
        row("mayor", el("span", { text: th.mayor.name + since }));
      }
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
   * The positions of the best values of a row (none when fewer than two values differ):
   * the highest, or the lowest when lower is better.
   */
  function bestOf(values, better) {
    if (better !== "lower" && better !== "higher") return [];
    const present = values.filter((x) => !scoring.isMissing(x));
    if (present.length < 2) return [];
    const best = better === "lower" ? Math.min.apply(null, present)
      : Math.max.apply(null, present);
    if (present.every((x) => x === best)) return [];
    return values.map((x, k) => (x === best ? k : -1)).filter((k) => k >= 0);
  }

  /**
   * The comparison, above the footer. Owns which villages it compares (at most options.max).
   * Options: ui, data, max (3).
   * Events: "change" {indices, full} when a village is added or removed; "select" {index, zoom}
   * when a village's name is clicked; "print" {node} when it is to be printed on its own.
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
      const shared = scoring.sharedRanks(r);
      const standing = (i) => (r.rank[i] !== null ? shared[i] + " " + t("of") + " " + r.ranked
        : r.excluded[i] ? t("excluded") : t("not_ranked"));
      const rows = [
        this._row(t("score"), shown.map((i) => r.score[i]), "higher",
          (i) => [ui.score(r.score[i])]),
        this._row(t("rank"), [], null, (i) => [standing(i)]),
      ];
      d.criteria.forEach((c, j) => rows.push(this._row(c.label,
        shown.map((i) => d.villages[i].v[c.col]), c.better, (i) => {
          const p = r.points[i][j];
          return [
            valueWithPlace(ui, c, d.villages[i]),
            el("div", { className: "rl-bar", title: ui.satisfaction(r.util[i][j]) }, [
              barFill(r.util[i][j]),
            ]),
            el("small", { text: p === null ? "–" : ui.score(p) + " " + t("points_short") }),
          ];
        })));
      const scored = new Set(d.criteria.map((c) => c.name));
      const others = d.constraints.filter((c) => !scored.has(c.name)).concat(d.facts || []);
      if (others.length) {
        rows.push(el("tr", { className: "rl-compare-group" }, [
          el("th", { colSpan: shown.length + 1, text: t("other_facts") }),
        ]));
      }
      for (const f of others) {
        rows.push(this._row(f.label, shown.map((i) => d.villages[i].v[f.col]), f.better,
          (i) => [valueWithPlace(ui, f, d.villages[i])]));
      }
      box.appendChild(el("div", { className: "rl-compare-tools" }, [
        printButton(ui, () => this.fire("print", { node: this._box })),
      ]));
      box.appendChild(el("div", { className: "rl-compare-scroll" }, [
        el("table", {}, [el("thead", {}, [head]), el("tbody", {}, rows)]),
      ]));
      // Leaflet's bottom controls (legend, scale) move up above the comparison.
      document.body.style.setProperty("--rl-compare-h", box.offsetHeight + "px");
    },

    /** A row: its header, then a cell per village, the best values marked. */
    _row: function (label, values, better, cell) {
      const t = this.options.ui.t;
      const best = new Set(bestOf(values, better));
      return el("tr", {}, [el("th", { scope: "row", text: label })].concat(
        this._indices.map((i, k) => el("td", { className: best.has(k) ? "rl-best" : null },
          cell(i).concat(best.has(k) ? [el("span", {
            className: "rl-best-mark", title: t("best"), "aria-label": t("best"), text: " ★",
          })] : [])))));
    },
  });

  // ---------------------------------------------------------------------------------------
  // Legend: the colours of the view shown, and the points on the map
  // ---------------------------------------------------------------------------------------

  /**
   * The legend of the map's colours. Owns the view it explains ("score", or the index of a
   * criterion whose values the map shows, in its units) and the list of points shown.
   * Options: ui, data, classes (function: criterion index -> its value classes).
   */
  const Legend = control({
    options: { position: "bottomleft", ui: null, data: null, classes: null },

    initialize: function (options) {
      L.setOptions(this, options);
      this._view = "score";
      this._points = [];
    },

    onAdd: function () {
      this._box = el("div", { id: "rl-legend", className: "rl-legend" });
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

    /** The point layers shown: [{label, colour, shape: "dot" | "rank"}]. */
    setPoints: function (points) {
      this._points = points.slice();
      if (this._box) this._render();
    },

    _render: function () {
      const ui = this.options.ui;
      const t = ui.t;
      const box = clear(this._box);
      const scoreView = this._view === "score";
      if (scoreView) {
        const bar = el("div", { className: "rl-legend-bar" });
        bar.style.background = "linear-gradient(to right, " + VIRIDIS.join(", ") + ")";
        box.appendChild(el("div", { className: "rl-legend-title", text: t("score_layer") }));
        box.appendChild(bar);
        box.appendChild(el("div", { className: "rl-legend-ticks" },
          [0, 50, 100].map((x) => el("span", { text: ui.number.tick.format(x) }))));
      } else {
        this._criterion(box, this._view);
      }
      box.appendChild(el("div", { className: "rl-legend-item" }, [
        el("i", {
          className: "rl-swatch rl-swatch-excluded" + (scoreView ? "" : " rl-swatch-outline"),
        }),
        scoreView ? t("legend_excluded") : t("legend_excluded_outline"),
      ]));
      box.appendChild(el("div", { className: "rl-legend-item" }, [
        el("i", { className: "rl-swatch rl-swatch-nodata" }), t("legend_no_data"),
      ]));
      if (this._points.length) {
        box.appendChild(el("div", { className: "rl-legend-title rl-legend-sub",
          text: t("legend_on_map") }));
        for (const p of this._points) {
          const mark = el("i", { className: p.shape === "rank" ? "rl-dot rl-dot-rank" : "rl-dot" });
          if (p.colour) mark.style.background = p.colour;
          box.appendChild(el("div", { className: "rl-legend-item" }, [mark, p.label]));
        }
      }
    },

    /** A criterion's classes, in its units: "≤ 12 min", "12–18 min", ..., "> 30 min". */
    _criterion: function (box, j) {
      const ui = this.options.ui;
      const c = this.options.data.criteria[j];
      const classes = this.options.classes(j);
      const symbol = c.unit && c.unit.symbol && !c.unit.flag ? " (" + c.unit.symbol + ")" : "";
      box.appendChild(el("div", { className: "rl-legend-title", text: c.label + symbol }));
      const num = (x) => (c.unit && c.unit.integer ? ui.number.int : ui.number.bound).format(x);
      const unit = (text) => ui.withUnit(text, c.unit);
      const b = classes.breaks || [];
      // A count of programme members below `below` is given as 0: never say 0, say "fewer
      // than 3", and start the next class at 3.
      const below = c.unit && c.unit.below ? c.unit.below : null;
      const range = (lo, hi) => {
        if (below !== null && hi < below) return ui.t("fewer_than", { k: num(below) });
        return unit((below !== null && lo < below ? num(below) : num(lo)) + " – " + num(hi));
      };
      const first = (x) => (below !== null && x < below ? ui.t("fewer_than", { k: num(below) })
        : "≤ " + unit(num(x)));
      const labels = classes.values ? classes.values.map((x) => ui.value(x, c.unit))
        : b.map((x, k) => (k === 0 ? first(x) : range(b[k - 1], x)))
          .concat(b.length ? ["> " + unit(num(b[b.length - 1]))] : []);
      labels.forEach((text, k) => {
        const swatch = el("i", { className: "rl-swatch" });
        swatch.style.background = classColour(classes, k, c.better);
        box.appendChild(el("div", { className: "rl-legend-item", "data-class": k }, [swatch,
          text]));
      });
      box.appendChild(el("div", { className: "rl-note", text: ui.t("legend_better") }));
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
      this._line = el("summary", {}, [
        el("strong", { text: t("sources") + " (" + sources.length + ")" }),
        d.drive_times ? " · " + t("drive_times") + " (" + d.drive_times + ")" : "",
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
    classColour: classColour,
    bestOf: bestOf,
    normalise: core.normalise,
    withoutArticle: core.withoutArticle,
    isSmallScreen: isSmallScreen,
    texts: texts,
    Panel: Panel,
    Card: Card,
    Compare: Compare,
    Legend: Legend,
    Footer: Footer,
  });
})(typeof window !== "undefined" ? window : this);
