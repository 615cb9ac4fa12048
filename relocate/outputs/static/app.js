/*
 * app.js: the app of the map page written by `relocate map`.
 *
 * The contract with relocate/outputs/map.py: Python inlines score.js (the scoring core,
 * global relocateScore), core.js (search, value classes, the address, the profile as TOML,
 * global relocateCore), controls.js (the Leaflet controls, global relocateControls) and this
 * file, then calls relocateMap.start(map, DATA). This file draws the layers (village polygons,
 * rank markers kept apart, village names where they fit, airports, point layers, the CCI
 * programme's members and events when loaded, isochrones, OpenStreetMap tiles when online),
 * adds the controls and wires them: each change of weights or switches re-scores every
 * village exactly as relocate/scoring/score.py does, every layer and control shows the
 * result, and the address and local storage keep the weights and
 * switches (a link reopens them).
 *
 * Plain browser JavaScript, no build step, no third-party code besides Leaflet (global L).
 * Every text from DATA goes into the page with textContent or createTextNode, never as HTML.
 */
(function (global) {
  "use strict";

  /** Communes labelled before the ranked villages, to find one's way: the towns. */
  const TOWN_LABEL_POPULATION = 2000;
  const L = global.L;
  const scoring = global.relocateScore;
  const core = global.relocateCore;
  const controls = global.relocateControls;
  const el = controls.el;

  const EXCLUDED_COLOUR = "#9e9e9e";
  const NO_DATA_COLOUR = "#ffffff";
  /** Okabe-Ito colours for the point layers (stations, schools...). */
  const POINT_COLOURS = ["#e69f00", "#56b4e9", "#009e73", "#cc79a7", "#0072b2", "#d55e00",
    "#f0e442", "#000000"];
  const ISOCHRONE_COLOURS = { 30: "#1b7837", 45: "#fdb863", 60: "#b2182b" };
  const AIRPORT_COLOUR = "#b2182b";
  const RANK_COLOUR = "#08306b";
  /** The CCI programme's layers: villages where members live, upcoming events. */
  const PROGRAMME_MEMBERS_COLOUR = "#762a83";
  const PROGRAMME_EVENTS_COLOUR = "#c51b7d";
  const OSM_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png";
  const MAX_COMPARED = 3;
  /** How many value classes a criterion layer has (quintiles). */
  const VALUE_CLASSES = 5;
  /** The rank markers' size, and the village labels' font, height and most at once. */
  const RANK_SIZE = 26;
  const LABEL_FONT = "600 11px system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif";
  const LABEL_HEIGHT = 15;
  const MAX_LABELS = 220;

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
      if (area > bestArea) {
        best = poly;
        bestArea = area;
      }
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
      if (xs[k + 1] - xs[k] > width) {
        width = xs[k + 1] - xs[k];
        mid = [(xs[k] + xs[k + 1]) / 2, y];
      }
    }
    return mid;
  }

  /** Escape text for the few Leaflet APIs that only take HTML strings (layer control names). */
  function escapeHtml(s) {
    return String(s).replace(/[&<>"']/g, (c) => "&#" + c.charCodeAt(0) + ";");
  }

  /** A layer control name with its colour: the swatch, then the name (escaped). */
  function swatched(name, colour, shape) {
    const style = colour && /^#[0-9a-f]{6}$/i.test(colour) ? ' style="background:' + colour + '"'
      : "";
    return '<i class="rl-dot' + (shape === "rank" ? " rl-dot-rank" : "") + '"' + style +
      "></i> " + escapeHtml(name);
  }

  /** Two rectangles {x, y, w, h} overlap. */
  function overlaps(a, b) {
    return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
  }

  // ---------------------------------------------------------------------------------------
  // One page: its layers and controls, wired
  // ---------------------------------------------------------------------------------------

  /**
   * Draw the page on a Leaflet map from DATA and wire it; return what the public API reads.
   * The state lives where it belongs: weights and switches in the panel, the village shown in
   * the card, the villages compared in the comparison, the view in the legend; here only the
   * last scoring result and the layers. The address and local storage keep the panel's
   * weights and switches (a link reopens them).
   */
  function createPage(map, data) {
    const ui = controls.texts(data);
    const t = ui.t;
    const options = { ui: ui, data: data };
    const classes = {}; // by criterion index: the value classes its layer is coloured by
    const classesOf = (j) => {
      if (!classes[j]) {
        const c = data.criteria[j];
        const values = data.villages.map((v) => v.v[c.col]);
        classes[j] = core.valueClasses(values, VALUE_CLASSES, Boolean(c.unit && c.unit.integer),
          c.unit ? c.unit.below : null);
      }
      return classes[j];
    };
    const panel = new controls.Panel(options);
    const card = new controls.Card(options);
    const compare = new controls.Compare(Object.assign({ max: MAX_COMPARED }, options));
    const legend = new controls.Legend(Object.assign({ classes: classesOf }, options));
    const footer = new controls.Footer(options);
    const polygons = []; // by village index: its Leaflet path
    const shapes = []; // by village index: its geometry, then its rank marker's [lon, lat]
    let result = scoring.scoreAll(data, panel.weights(), panel.switches());
    let tiles = null;
    let polygonLayer = null;
    const rankLayer = L.layerGroup();
    const labelLayer = L.layerGroup();
    let rankBoxes = []; // where the rank markers are drawn, in container pixels
    const overlayInfo = new Map(); // overlay layer -> {label, colour, shape} for the legend

    // -- the map's colours and tooltips --------------------------------------------------

    /** Fill and outline of village i in the current view (score, or a criterion's value). */
    function styleOf(i) {
      const view = legend.view();
      const excluded = result.excluded[i];
      let fill;
      if (view === "score") {
        fill = excluded ? EXCLUDED_COLOUR : result.score[i] === null ? NO_DATA_COLOUR
          : controls.colour(result.score[i] / 100);
      } else {
        const c = data.criteria[view];
        const k = core.classOf(classesOf(view), data.villages[i].v[c.col]);
        fill = k === null ? NO_DATA_COLOUR : controls.classColour(classesOf(view), k, c.better);
      }
      const selected = card.index() === i;
      return {
        fillColor: fill,
        fillOpacity: excluded && view === "score" ? 0.55 : 0.78,
        color: selected ? "#000000" : excluded ? "#616161" : "#555555",
        weight: selected ? 3 : excluded ? 1 : 0.6,
        dashArray: excluded ? "4 3" : null,
      };
    }

    function restyle(i) {
      if (i !== null && polygons[i]) polygons[i].setStyle(styleOf(i));
    }

    function restyleAll() {
      polygons.forEach((_, i) => restyle(i));
    }

    /** The polygon tooltip: name, then the score or the criterion shown. */
    function tooltipOf(i) {
      const view = legend.view();
      const v = data.villages[i];
      let line;
      if (view === "score") {
        const rank = result.rank[i] !== null ? " · " + t("rank") + " " + shared()[i] : "";
        line = result.excluded[i] ? t("excluded") : result.score[i] === null ? t("no_data")
          : t("score") + t("colon") + ui.score(result.score[i]) + rank;
      } else {
        const c = data.criteria[view];
        const where = ui.place(c, v);
        line = c.label + t("colon") + ui.value(v.v[c.col], c.unit) + (where ? " · " + where : "");
      }
      return el("div", { className: "rl-tip" }, [el("strong", { text: v.name }), el("br"), line]);
    }

    let sharedCache = null;
    function shared() {
      if (!sharedCache) sharedCache = scoring.sharedRanks(result);
      return sharedCache;
    }

    // -- layers --------------------------------------------------------------------------

    function drawPolygons() {
      polygonLayer = L.geoJSON(data.shapes, {
        className: "rl-village",
        onEachFeature: (feature, path) => {
          const i = feature.properties.i;
          polygons[i] = path;
          shapes[i] = feature.geometry;
          path.bindTooltip(() => tooltipOf(i), { sticky: true });
          path.on("click", () => select(i, false));
          path.on("mouseover", () => path.setStyle({ weight: 2.5, color: "#000000" }));
          path.on("mouseout", () => restyle(i));
        },
      });
      polygonLayer.addTo(map);
    }

    /** A point inside village i, as a Leaflet LatLng (computed once). */
    function anchorOf(i) {
      const g = shapes[i];
      if (!g) return null;
      if (!Array.isArray(g)) shapes[i] = representativePoint(g) || [];
      const p = shapes[i];
      return p.length === 2 ? L.latLng(p[1], p[0]) : null;
    }

    /**
     * The rank markers of the top villages, redrawn at each re-score and zoom. A marker that
     * would cover another moves to the nearest free place around its village, a line to it.
     */
    function drawRankMarkers() {
      rankLayer.clearLayers();
      rankBoxes = [];
      const size = RANK_SIZE;
      const taken = [];
      const free = (p) => taken.every((q) => Math.hypot(p.x - q.x, p.y - q.y) >= size + 2);
      const tied = {};
      for (const r of shared()) if (r !== null) tied[r] = (tied[r] || 0) + 1;
      for (const i of scoring.topIndices(result, data.top)) {
        const at = anchorOf(i);
        if (!at) continue;
        const home = map.latLngToContainerPoint(at);
        let pos = home;
        if (!free(home)) pos = nearestFree(home, free) || home;
        taken.push(pos);
        rankBoxes.push({ x: pos.x - size / 2, y: pos.y - size / 2, w: size, h: size });
        const where = pos === home ? at : map.containerPointToLatLng(pos);
        if (where !== at) {
          rankLayer.addLayer(L.polyline([at, where], {
            className: "rl-leader", color: "#08306b", weight: 1.5, interactive: false,
          }));
          rankLayer.addLayer(L.circleMarker(at, {
            className: "rl-leader-dot", radius: 2.5, color: "#08306b", weight: 1,
            fillColor: "#ffffff", fillOpacity: 1, interactive: false,
          }));
        }
        const rank = shared()[i];
        const icon = L.divIcon({
          className: "rl-rank" + (tied[rank] > 1 ? " rl-tied" : ""),
          iconSize: [size, size], html: el("span", { text: rank }),
        });
        const marker = L.marker(where, { icon: icon, zIndexOffset: 1000 - result.rank[i],
          keyboard: true });
        const tip = rank + ". " + data.villages[i].name + " · " + ui.score(result.score[i]);
        marker.bindTooltip(() => el("span", { text: tip }));
        marker.on("click", () => select(i, false));
        rankLayer.addLayer(marker);
      }
    }

    /** The nearest free place on rings around p (null if none). */
    function nearestFree(p, free) {
      for (let ring = 1; ring <= 4; ring++) {
        const radius = ring * (RANK_SIZE + 4);
        const steps = 8 * ring;
        for (let k = 0; k < steps; k++) {
          const angle = -Math.PI / 2 + (2 * Math.PI * k) / steps;
          const q = L.point(p.x + radius * Math.cos(angle), p.y + radius * Math.sin(angle));
          if (free(q)) return q;
        }
      }
      return null;
    }

    const measurer = global.document.createElement("canvas").getContext("2d");
    const widths = {};
    function labelWidth(text) {
      if (!(text in widths)) {
        if (measurer) measurer.font = LABEL_FONT;
        widths[text] = Math.ceil(measurer ? measurer.measureText(text).width : 6 * text.length);
      }
      return widths[text];
    }

    /**
     * Which villages are labelled first: the towns (to find one's way), largest first; then
     * the ranked ones, best first; then the others by population.
     */
    function labelOrder() {
      const pop = data.columns.indexOf("population");
      const size = (i) => (pop >= 0 && data.villages[i].v[pop] !== null ? data.villages[i].v[pop]
        : 0);
      const all = data.villages.map((_, i) => i);
      const towns = all.filter((i) => size(i) >= TOWN_LABEL_POPULATION);
      towns.sort((a, b) => size(b) - size(a) || a - b);
      const first = new Set(towns);
      const top = scoring.topIndices(result, data.top).filter((i) => !first.has(i));
      top.forEach((i) => first.add(i));
      const rest = all.filter((i) => !first.has(i));
      rest.sort((a, b) => size(b) - size(a) || a - b);
      return towns.concat(top, rest);
    }

    /**
     * Village names where they fit at this zoom: each label is placed unless it would cover
     * a rank marker or a label placed before it (the best villages and the largest first).
     */
    function drawLabels() {
      labelLayer.clearLayers();
      if (!map.hasLayer(labelLayer)) return;
      const view = map.getBounds().pad(0.05);
      const taken = rankBoxes.slice();
      const top = new Set(scoring.topIndices(result, data.top));
      for (const i of labelOrder()) {
        const at = anchorOf(i);
        if (!at || !view.contains(at)) continue;
        const name = data.villages[i].name;
        const w = labelWidth(name) + 6;
        const h = LABEL_HEIGHT;
        const p = map.latLngToContainerPoint(at);
        // Beside a rank marker for the top villages; centred below the point for the others.
        const spots = top.has(i) ? [[RANK_SIZE / 2 + 2, -h / 2], [-RANK_SIZE / 2 - 2 - w, -h / 2]]
          : [[-w / 2, 2], [-w / 2, -h - 2]];
        const spot = spots.map(([dx, dy]) => ({ x: p.x + dx, y: p.y + dy, w: w, h: h }))
          .find((box) => taken.every((o) => !overlaps(box, o)));
        if (!spot) continue;
        taken.push(spot);
        const icon = L.divIcon({
          className: "rl-label" + (top.has(i) ? " rl-label-top" : ""),
          iconSize: [w, h], iconAnchor: [p.x - spot.x, p.y - spot.y],
          html: el("span", { text: name }),
        });
        labelLayer.addLayer(L.marker(at, { icon: icon, interactive: false, keyboard: false }));
        if (labelLayer.getLayers().length >= MAX_LABELS) break;
      }
    }

    function drawAirports() {
      const group = L.layerGroup();
      for (const a of data.airports || []) {
        const marker = L.circleMarker([a.lat, a.lon], {
          radius: 6, color: "#ffffff", weight: 2, fillColor: AIRPORT_COLOUR, fillOpacity: 1,
          className: "rl-airport",
        });
        marker.bindTooltip(el("span", { text: a.iata }), {
          permanent: true, direction: "right", offset: [6, 0], className: "rl-airport-label",
        });
        marker.bindPopup(el("div", { className: "rl-pop" }, [
          el("strong", { text: a.name + " (" + a.iata + ")" }),
          a.city ? el("div", { text: a.city }) : null,
        ]));
        group.addLayer(marker);
      }
      return group.addTo(map);
    }

    /** One overlay per point source (stations, post offices...), drawn on a canvas. */
    function drawPointLayers() {
      const renderer = L.canvas({ padding: 0.3 });
      return (data.layers || []).map((layer, k) => {
        const group = L.layerGroup();
        const fill = POINT_COLOURS[k % POINT_COLOURS.length];
        for (const item of layer.items || []) {
          const marker = L.circleMarker([item[1], item[0]], {
            renderer: renderer, radius: 4, color: "#ffffff", weight: 1, fillColor: fill,
            fillOpacity: 0.95,
          });
          marker.bindTooltip(() => el("span", { text: item[2] || layer.label }));
          group.addLayer(marker);
        }
        return { name: layer.label + " (" + (layer.items || []).length + ")", layer: group,
          colour: fill };
      });
    }

    /**
     * The CCI programme's layers, when its data is loaded (DATA.programme): the villages
     * where at least k members live (a circle sized by their number) and the upcoming
     * events. Off until the household turns them on; none when nothing is loaded.
     */
    function drawProgrammeLayers() {
      const p = data.programme;
      if (!p) return [];
      const layers = [];
      if ((p.members || []).length) {
        const group = L.layerGroup();
        for (const item of p.members) {
          const marker = L.circleMarker([item[1], item[0]], {
            radius: Math.min(16, 4 + 2 * Math.sqrt(item[2])), color: "#ffffff", weight: 1.5,
            fillColor: PROGRAMME_MEMBERS_COLOUR, fillOpacity: 0.85, className: "rl-members",
          });
          marker.bindTooltip(() => el("span", { text: item[3] }));
          group.addLayer(marker);
        }
        layers.push({ name: t("layer_programme_members", { k: p.k }) + " (" + p.members.length +
          ")", layer: group, colour: PROGRAMME_MEMBERS_COLOUR });
      }
      if ((p.events || []).length) {
        const group = L.layerGroup();
        for (const item of p.events) {
          const marker = L.circleMarker([item[1], item[0]], {
            radius: 6, color: "#000000", weight: 1.5, fillColor: PROGRAMME_EVENTS_COLOUR,
            fillOpacity: 0.95, className: "rl-event",
          });
          marker.bindTooltip(() => el("span", { text: item[2] }));
          group.addLayer(marker);
        }
        layers.push({ name: t("layer_programme_events") + " (" + p.events.length + ")",
          layer: group, colour: PROGRAMME_EVENTS_COLOUR });
      }
      return layers;
    }

    /** The areas within 30, 45, 60 minutes of each airport on the road network (if loaded). */
    function drawIsochrones() {
      const zones = data.isochrones || [];
      if (!zones.length) return null;
      const group = L.layerGroup();
      zones.slice().sort((a, b) => b.minutes - a.minutes).forEach((zone) => {
        const layer = L.geoJSON(zone.geometry, {
          style: {
            color: ISOCHRONE_COLOURS[zone.minutes] || "#555555", weight: 1.5, fillOpacity: 0.08,
            interactive: true,
          },
        });
        layer.bindTooltip(() => el("span", { text: zone.label }));
        group.addLayer(layer);
      });
      return group;
    }

    /** The point layers shown, for the legend: rank markers, airports, facilities. */
    function showPointsInLegend() {
      const shown = [];
      for (const [layer, info] of overlayInfo) if (map.hasLayer(layer)) shown.push(info);
      legend.setPoints(shown);
    }

    /**
     * Leaflet's layer control: base layers = the score and each criterion (in its units);
     * overlays = the rest, each point layer with its colour.
     */
    function addLayerControl(airports, points) {
      const base = {};
      const views = new Map();
      const scoreLayer = L.layerGroup();
      base[escapeHtml(t("score_layer"))] = scoreLayer;
      views.set(scoreLayer, "score");
      data.criteria.forEach((c, j) => {
        const layer = L.layerGroup();
        base[escapeHtml(c.label + (c.unit && c.unit.symbol && !c.unit.flag ? " (" +
          c.unit.symbol + ")" : ""))] = layer;
        views.set(layer, j);
      });
      scoreLayer.addTo(map);
      const overlays = {};
      const rankName = t("rank_markers", { n: data.top });
      overlays[swatched(rankName, RANK_COLOUR, "rank")] = rankLayer;
      overlayInfo.set(rankLayer, { label: rankName, colour: RANK_COLOUR, shape: "rank" });
      overlays[escapeHtml(t("village_names"))] = labelLayer;
      if ((data.airports || []).length) {
        overlays[swatched(t("airports"), AIRPORT_COLOUR)] = airports;
        overlayInfo.set(airports, { label: t("airports"), colour: AIRPORT_COLOUR });
      }
      for (const p of points) {
        overlays[swatched(p.name, p.colour)] = p.layer;
        overlayInfo.set(p.layer, { label: p.name, colour: p.colour });
      }
      const zones = drawIsochrones();
      if (zones) overlays[escapeHtml(t("isochrones"))] = zones;
      if (tiles) overlays[escapeHtml(t("base_map"))] = tiles;
      const small = controls.isSmallScreen();
      const layerControl = L.control.layers(base, overlays, {
        collapsed: small,
        position: "topright",
      });
      layerControl.addTo(map);
      // Leaflet titles its toggle "Layers" in English: the page's language instead.
      const toggle = layerControl.getContainer().querySelector(".leaflet-control-layers-toggle");
      if (toggle) {
        toggle.title = t("layers");
        toggle.setAttribute("aria-label", t("layers"));
      }
      map.on("baselayerchange", (e) => {
        if (!views.has(e.layer)) return;
        legend.setView(views.get(e.layer));
        restyleAll();
      });
      map.on("overlayadd overlayremove", (e) => {
        showTilesCredit();
        showPointsInLegend();
        if (e.layer === labelLayer) drawLabels();
      });
    }

    function showTilesCredit() {
      footer.setTiles(Boolean(tiles && map.hasLayer(tiles)));
    }

    // -- the page's layout ---------------------------------------------------------------

    /** Keep CSS in step with the footer's and the panel head's heights, then resize the map. */
    function measure() {
      const style = document.body.style;
      style.setProperty("--rl-footer-h", footer.lineHeight() + "px");
      style.setProperty("--rl-head-h", panel.headHeight() + "px");
      map.invalidateSize();
    }

    /** Fit bounds in the part of the map the card and the comparison leave visible. */
    function zoomTo(bounds) {
      const size = map.getSize();
      let right = 20;
      let bottom = 20 + compare.height();
      if (controls.isSmallScreen()) {
        bottom = Math.max(bottom, Math.round(0.62 * global.innerHeight) + 20);
      } else {
        right += card.width() || 390;
      }
      // Never pad more than the map can give: keep at least 120 px for the village.
      right = Math.min(right, Math.max(20, size.x - 140));
      bottom = Math.min(bottom, Math.max(20, size.y - 140));
      map.fitBounds(bounds, {
        maxZoom: 12, paddingTopLeft: [20, 20], paddingBottomRight: [right, bottom],
      });
    }

    // -- the address and local storage ---------------------------------------------------

    /** The weights and switches the address gives, else those of an earlier visit. */
    function restoreState() {
      let state = core.decodeState(data, global.location ? global.location.hash : "");
      if (!state) {
        try {
          state = core.decodeState(data, global.localStorage.getItem(data.state_key) || "");
        } catch (e) {
          state = null; // no storage (a private window, a file the browser isolates)
        }
      }
      if (state) panel.setState(state.weights, state.switches, true);
    }

    /** Keep the panel's weights and switches in the address and in local storage. */
    function saveState() {
      const text = core.encodeState(data, panel.weights(), panel.switches());
      try {
        const here = global.location.pathname + global.location.search;
        global.history.replaceState(null, "", text ? "#" + text : here);
      } catch (e) {
        // A browser that refuses to change a file's address: the storage still keeps them.
      }
      try {
        if (text) global.localStorage.setItem(data.state_key, text);
        else global.localStorage.removeItem(data.state_key);
      } catch (e) {
        // No storage: the address keeps them.
      }
    }

    // -- printing and saving -------------------------------------------------------------

    /** Print one part of the page on its own (a card, the comparison): a copy of it alone. */
    function printOnly(node) {
      let box = document.getElementById("rl-print");
      if (!box) {
        box = el("div", { id: "rl-print", className: "rl-print" });
        document.body.appendChild(box);
      }
      const copy = node.cloneNode(true);
      copy.removeAttribute("id");
      for (const inner of copy.querySelectorAll("[id]")) inner.removeAttribute("id");
      controls.clear(box).appendChild(el("p", { className: "rl-print-title", text: data.title }));
      box.appendChild(copy);
      document.body.classList.add("rl-printing");
      global.print();
    }

    function donePrinting() {
      document.body.classList.remove("rl-printing");
      const box = document.getElementById("rl-print");
      if (box) controls.clear(box);
    }

    /** The profile with the panel's weights and switches, as TOML. */
    function profileToml() {
      return core.profileToml(data.profile, panel.weights(), panel.switches(),
        t("profile_adjusted", { name: data.title }));
    }

    function download() {
      const blob = new Blob([profileToml()], { type: "application/toml" });
      const url = URL.createObjectURL(blob);
      const a = el("a", { href: url, download: core.fileStem(data.title) + ".toml" });
      document.body.appendChild(a);
      a.click();
      a.remove();
      global.setTimeout(() => URL.revokeObjectURL(url), 1000);
    }

    // -- what the controls ask -----------------------------------------------------------

    /** Open a village's card; zoom to it if asked. */
    function select(i, zoom) {
      // On a phone the panel would hide the village: fold it away.
      if (zoom && controls.isSmallScreen() && panel.isOpen()) panel.setOpen(false);
      const before = card.index();
      card.show(i);
      restyle(before);
      if (polygons[i]) {
        restyle(i);
        polygons[i].bringToFront();
        if (zoom) zoomTo(polygons[i].getBounds());
      }
    }

    /** Score again with the panel's weights and switches; everything that shows it follows. */
    function rescore() {
      result = scoring.scoreAll(data, panel.weights(), panel.switches());
      sharedCache = null;
      restyleAll();
      drawRankMarkers();
      drawLabels();
      panel.showResult(result);
      card.update(result, panel.weights(), panel.atProfile());
      compare.update(result);
      measure(); // the panel's head says the share: its height may change
    }

    panel.on("change", () => {
      rescore();
      saveState();
    });
    panel.on("select", (e) => select(e.index, e.zoom));
    panel.on("toggle", measure);
    panel.on("download", download);
    card.on("compare", (e) => compare.add(e.index));
    card.on("close", (e) => restyle(e.index));
    card.on("print", (e) => printOnly(e.node));
    compare.on("change", (e) => card.setCompared(e.indices, e.full));
    compare.on("select", (e) => select(e.index, e.zoom));
    compare.on("print", (e) => printOnly(e.node));
    global.addEventListener("afterprint", donePrinting);

    // -- drawing -------------------------------------------------------------------------

    document.documentElement.lang = data.lang || "fr";
    document.body.classList.add("rl-app");
    map.getContainer().classList.add("rl-map");
    panel.addTo(map);
    card.addTo(map);
    compare.addTo(map);
    footer.addTo(map);
    L.control.zoom({
      position: "topleft", zoomInTitle: t("zoom_in"), zoomOutTitle: t("zoom_out"),
    }).addTo(map);
    if (global.navigator && global.navigator.onLine) {
      tiles = L.tileLayer(OSM_URL, { attribution: t("osm"), maxZoom: 19 }).addTo(map);
    }
    drawPolygons();
    rankLayer.addTo(map);
    labelLayer.addTo(map);
    addLayerControl(drawAirports(), drawPointLayers().concat(drawProgrammeLayers()));
    L.control.scale({ imperial: false, metric: true, position: "bottomleft" }).addTo(map);
    legend.addTo(map);
    showTilesCredit();
    showPointsInLegend();

    if (controls.isSmallScreen()) panel.setOpen(false);
    measure();
    // Half zoom levels let the département fill the window.
    if (map.options.zoomSnap === 1) map.options.zoomSnap = 0.5;
    const bounds = polygonLayer.getBounds();
    if (bounds.isValid()) map.fitBounds(bounds, { padding: [10, 10], animate: false });
    rescore();
    restoreState();
    map.on("zoomend", () => {
      drawRankMarkers();
      drawLabels();
    });
    map.on("moveend", drawLabels);
    global.addEventListener("resize", measure);

    return {
      /** INSEE codes, best first. */
      ranking: () => result.order.map((i) => data.villages[i].insee),
      ranks: () => {
        const out = {};
        data.villages.forEach((v, i) => { out[v.insee] = result.rank[i]; });
        return out;
      },
      excluded: () => data.villages.filter((_, i) => result.excluded[i]).map((v) => v.insee),
      weights: () => panel.weights(),
      switches: () => panel.switches(),
      setWeight: (name, w) => panel.setWeight(name, w),
      share: () => scoring.scoredShare(data, panel.weights()).share,
      topTies: () => scoring.topTies(result),
      profileToml: profileToml,
      labels: () => labelLayer.getLayers().length,
      data: data,
    };
  }

  // ---------------------------------------------------------------------------------------
  // The public API (tests/browser/ drives the page through it)
  // ---------------------------------------------------------------------------------------

  let page = null;

  /** Draw the page on a Leaflet map from DATA (see the contract above). */
  function start(map, data) {
    page = createPage(map, data);
    checkPythonOrder();
    api.ready = true;
  }

  /** INSEE codes, best first (excluded last). */
  function ranking() {
    return page ? page.ranking() : [];
  }

  /** Rank by INSEE code (null: not ranked). */
  function ranks() {
    return page ? page.ranks() : {};
  }

  /** INSEE codes of the excluded villages. */
  function excluded() {
    return page ? page.excluded() : [];
  }

  /** Weight by criterion name, as the sliders say. */
  function weights() {
    return page ? page.weights() : {};
  }

  /** Set a criterion's weight as moving its slider does (so to the slider's step). */
  function setWeight(name, w) {
    if (!page || !page.setWeight(name, Number(w))) {
      console.warn("relocate: no criterion " + name + " on this map");
    }
  }

  /** Whether each constraint is applied, as the switches say. */
  function switches() {
    return page ? page.switches() : {};
  }

  /** The share of the profile's weight the page's ranking covers (0-1). */
  function share() {
    return page ? page.share() : 0;
  }

  /** How many ranked villages share the best score. */
  function topTies() {
    return page ? page.topTies() : 0;
  }

  /** The profile with the page's weights and switches, as the file it downloads (TOML). */
  function profileToml() {
    return page ? page.profileToml() : "";
  }

  /** How many village names are on the map now. */
  function labels() {
    return page ? page.labels() : 0;
  }

  /**
   * Warn (not fail) if the page's ranking for the profile's own weights is not the one
   * Python computed (DATA.python_order), whatever the sliders now say.
   * @returns {boolean} true if they agree (or Python gave none)
   */
  function checkPythonOrder() {
    const data = page && page.data;
    const py = data && data.python_order;
    if (!Array.isArray(py)) return true;
    const mine = scoring.scoreAll(data).order.map((i) => data.villages[i].insee);
    const n = Math.max(py.length, mine.length);
    for (let k = 0; k < n; k++) {
      if (py[k] !== mine[k]) {
        console.warn("relocate: the page ranks " + mine[k] + " at position " + (k + 1) +
          " where Python ranked " + py[k] + "; the page's scoring differs from relocate's.");
        return false;
      }
    }
    return true;
  }

  const api = {
    start: start,
    ready: false,
    ranking: ranking,
    ranks: ranks,
    excluded: excluded,
    weights: weights,
    switches: switches,
    setWeight: setWeight,
    share: share,
    topTies: topTies,
    profileToml: profileToml,
    labels: labels,
    checkPythonOrder: checkPythonOrder,
    /** Pure functions, for tests. */
    core: Object.assign({}, scoring, core, {
      colour: controls.colour,
      representativePoint: representativePoint,
    }),
  };
  global.relocateMap = api;
})(typeof window !== "undefined" ? window : this);
