/*
 * app.js: the app of the map page written by `relocate map`.
 *
 * The contract with relocate/outputs/map.py: Python inlines score.js (the scoring core,
 * global relocateScore), controls.js (the Leaflet controls, global relocateControls) and this
 * file, then calls relocateMap.start(map, DATA). This file draws the layers (village polygons,
 * rank markers, airports, point layers, isochrones, OpenStreetMap tiles when online), adds
 * the controls and wires them: each change of weights or switches re-scores every village
 * exactly as relocate/scoring/score.py does, and every layer and control shows the result.
 *
 * Plain browser JavaScript, no build step, no third-party code besides Leaflet (global L).
 * Every text from DATA goes into the page with textContent or createTextNode, never as HTML.
 */
(function (global) {
  "use strict";

  const L = global.L;
  const scoring = global.relocateScore;
  const controls = global.relocateControls;
  const el = controls.el;

  const EXCLUDED_COLOUR = "#9e9e9e";
  const NO_DATA_COLOUR = "#ffffff";
  /** Okabe-Ito colours for the point layers (stations, schools...). */
  const POINT_COLOURS = ["#e69f00", "#56b4e9", "#009e73", "#cc79a7", "#0072b2", "#d55e00",
    "#f0e442", "#000000"];
  const ISOCHRONE_COLOURS = { 30: "#1b7837", 45: "#fdb863", 60: "#b2182b" };
  const OSM_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png";
  const OSM_ATTRIBUTION = "© OpenStreetMap contributors";
  const MAX_COMPARED = 3;

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

  // ---------------------------------------------------------------------------------------
  // One page: its layers and controls, wired
  // ---------------------------------------------------------------------------------------

  /**
   * Draw the page on a Leaflet map from DATA and wire it; return what the public API reads.
   * The state lives where it belongs: weights and switches in the panel, the village shown in
   * the card, the villages compared in the comparison, the view in the legend; here only the
   * last scoring result and the layers.
   */
  function createPage(map, data) {
    const ui = controls.texts(data);
    const t = ui.t;
    const options = { ui: ui, data: data };
    const panel = new controls.Panel(options);
    const card = new controls.Card(options);
    const compare = new controls.Compare(Object.assign({ max: MAX_COMPARED }, options));
    const legend = new controls.Legend(options);
    const footer = new controls.Footer(options);
    const polygons = []; // by village index: its Leaflet path
    const shapes = []; // by village index: its geometry, then its rank marker's [lon, lat]
    let result = scoring.scoreAll(data, panel.weights(), panel.switches());
    let tiles = null;
    let polygonLayer = null;
    const rankLayer = L.layerGroup();

    // -- the map's colours and tooltips --------------------------------------------------

    /** Fill and outline of village i in the current view (score, or a criterion's utility). */
    function styleOf(i) {
      const view = legend.view();
      const excluded = result.excluded[i];
      let fill;
      if (view === "score") {
        fill = excluded ? EXCLUDED_COLOUR : result.score[i] === null ? NO_DATA_COLOUR
          : controls.colour(result.score[i] / 100);
      } else {
        const u = result.util[i][view];
        fill = u === null ? NO_DATA_COLOUR : controls.colour(u);
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
        const rank = result.rank[i] !== null ? " · " + t("rank") + " " + result.rank[i] : "";
        line = result.excluded[i] ? t("excluded") : result.score[i] === null ? t("no_data")
          : t("score") + t("colon") + ui.score(result.score[i]) + rank;
      } else {
        const c = data.criteria[view];
        line = c.label + t("colon") + ui.value(v.v[c.col], c.unit);
      }
      return el("div", { className: "rl-tip" }, [el("strong", { text: v.name }), el("br"), line]);
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

    /** The rank markers of the top villages, redrawn at each re-score. */
    function drawRankMarkers() {
      rankLayer.clearLayers();
      for (const i of scoring.topIndices(result, data.top)) {
        const at = anchorOf(i);
        if (!at) continue;
        const rank = result.rank[i];
        const html = el("span", { text: rank });
        const icon = L.divIcon({ className: "rl-rank", iconSize: [26, 26], html: html });
        const marker = L.marker(at, { icon: icon, zIndexOffset: 1000 - rank, keyboard: true });
        const tip = rank + ". " + data.villages[i].name + " · " + ui.score(result.score[i]);
        marker.bindTooltip(() => el("span", { text: tip }));
        marker.on("click", () => select(i, false));
        rankLayer.addLayer(marker);
      }
    }

    function drawAirports() {
      const group = L.layerGroup();
      for (const a of data.airports || []) {
        const marker = L.circleMarker([a.lat, a.lon], {
          radius: 6, color: "#ffffff", weight: 2, fillColor: "#b2182b", fillOpacity: 1,
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
        return { name: layer.label + " (" + (layer.items || []).length + ")", layer: group };
      });
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

    /** Leaflet's layer control: base layers = the score and each criterion; overlays = the rest. */
    function addLayerControl(airports, points) {
      const base = {};
      const views = new Map();
      const scoreLayer = L.layerGroup();
      base[escapeHtml(t("score_layer"))] = scoreLayer;
      views.set(scoreLayer, "score");
      data.criteria.forEach((c, j) => {
        const layer = L.layerGroup();
        base[escapeHtml(c.label)] = layer;
        views.set(layer, j);
      });
      scoreLayer.addTo(map);
      const overlays = {};
      overlays[escapeHtml(t("rank_markers", { n: data.top }))] = rankLayer;
      if ((data.airports || []).length) overlays[escapeHtml(t("airports"))] = airports;
      for (const p of points) overlays[escapeHtml(p.name)] = p.layer;
      const zones = drawIsochrones();
      if (zones) overlays[escapeHtml(t("isochrones"))] = zones;
      if (tiles) overlays[escapeHtml(t("base_map"))] = tiles;
      const small = controls.isSmallScreen();
      L.control.layers(base, overlays, { collapsed: small, position: "topright" }).addTo(map);
      map.on("baselayerchange", (e) => {
        if (!views.has(e.layer)) return;
        legend.setView(views.get(e.layer));
        restyleAll();
      });
      map.on("overlayadd overlayremove", showTilesCredit);
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
      restyleAll();
      drawRankMarkers();
      panel.showResult(result);
      card.update(result);
      compare.update(result);
    }

    panel.on("change", rescore);
    panel.on("select", (e) => select(e.index, e.zoom));
    panel.on("toggle", measure);
    card.on("compare", (e) => compare.add(e.index));
    card.on("close", (e) => restyle(e.index));
    compare.on("change", (e) => card.setCompared(e.indices, e.full));
    compare.on("select", (e) => select(e.index, e.zoom));

    // -- drawing -------------------------------------------------------------------------

    document.documentElement.lang = data.lang || "fr";
    document.body.classList.add("rl-app");
    map.getContainer().classList.add("rl-map");
    panel.addTo(map);
    card.addTo(map);
    compare.addTo(map);
    footer.addTo(map);
    if (global.navigator && global.navigator.onLine) {
      tiles = L.tileLayer(OSM_URL, { attribution: OSM_ATTRIBUTION, maxZoom: 19 }).addTo(map);
    }
    drawPolygons();
    rankLayer.addTo(map);
    addLayerControl(drawAirports(), drawPointLayers());
    legend.addTo(map);
    showTilesCredit();

    if (controls.isSmallScreen()) panel.setOpen(false);
    measure();
    // Half zoom levels let the département fill the window.
    if (map.options.zoomSnap === 1) map.options.zoomSnap = 0.5;
    const bounds = polygonLayer.getBounds();
    if (bounds.isValid()) map.fitBounds(bounds, { padding: [10, 10], animate: false });
    rescore();
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
      setWeight: (name, w) => panel.setWeight(name, w),
      pythonOrder: data.python_order,
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

  /**
   * Warn (not fail) if the page's ranking is not the one Python computed (DATA.python_order).
   * @returns {boolean} true if they agree (or Python gave none)
   */
  function checkPythonOrder() {
    const py = page && page.pythonOrder;
    if (!Array.isArray(py)) return true;
    const mine = ranking();
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
    setWeight: setWeight,
    checkPythonOrder: checkPythonOrder,
    /** Pure functions, for tests. */
    core: Object.assign({}, scoring, {
      normalise: controls.normalise,
      withoutArticle: controls.withoutArticle,
      colour: controls.colour,
      representativePoint: representativePoint,
    }),
  };
  global.relocateMap = api;
})(typeof window !== "undefined" ? window : this);
