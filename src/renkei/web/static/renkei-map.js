/* Maps of Renkei's pages (MapLibre GL JS, bundled under /static/vendor).
 *
 * Progressive: every map element stands beside the same information in text (the extent's
 * coordinates, the table, the ext_bbox field), so nothing depends on this script.
 *
 * <div data-map data-geojson="#id-of-json-script" | data-geojson-url="/…" | data-extents="#id">
 * The page's map settings are in <script type="application/json" id="map-config">.
 * Each map is pushed to window.renkeiMaps (the browser tests read it).
 */
(function () {
  "use strict";
  var configNode = document.getElementById("map-config");
  if (!configNode || typeof maplibregl === "undefined") return;
  var config = JSON.parse(configNode.textContent);
  maplibregl.setWorkerUrl(config.worker);
  window.renkeiMaps = [];

  var COLOR = "#0b57d0";

  function readJson(selector) {
    var node = document.querySelector(selector);
    return node ? JSON.parse(node.textContent) : null;
  }

  function style() {
    var s = {
      version: 8,
      sources: {},
      layers: [{ id: "background", type: "background", paint: { "background-color": "#eef2f5" } }],
    };
    if (config.tiles) {
      s.sources.base = {
        type: "raster",
        tiles: [config.tiles],
        tileSize: 256,
        maxzoom: 18,
        attribution: config.attribution || "",
      };
      s.layers.push({ id: "base", type: "raster", source: "base" });
    }
    return s;
  }

  // West, south, east, north of every coordinate in a GeoJSON object.
  function bounds(geojson) {
    var b = [Infinity, Infinity, -Infinity, -Infinity];
    function walk(c) {
      if (typeof c[0] === "number") {
        b[0] = Math.min(b[0], c[0]); b[1] = Math.min(b[1], c[1]);
        b[2] = Math.max(b[2], c[0]); b[3] = Math.max(b[3], c[1]);
      } else {
        for (var i = 0; i < c.length; i++) walk(c[i]);
      }
    }
    function geometry(g) {
      if (!g) return;
      if (g.type === "GeometryCollection") (g.geometries || []).forEach(geometry);
      else if (g.coordinates) walk(g.coordinates);
    }
    if (geojson.type === "FeatureCollection") geojson.features.forEach(function (f) { geometry(f.geometry); });
    else if (geojson.type === "Feature") geometry(geojson.geometry);
    else geometry(geojson);
    return isFinite(b[0]) ? b : null;
  }

  function boxPolygon(w, s, e, n) {
    return { type: "Polygon", coordinates: [[[w, s], [e, s], [e, n], [w, n], [w, s]]] };
  }

  function extentsToGeojson(extents) {
    return {
      type: "FeatureCollection",
      features: extents.map(function (x) {
        var b = x.bbox;
        return { type: "Feature", properties: { label: x.title }, geometry: boxPolygon(b[0], b[1], b[2], b[3]) };
      }),
    };
  }

  function addDataLayers(map, data) {
    map.addSource("data", { type: "geojson", data: data });
    map.addLayer({
      id: "data-fill", type: "fill", source: "data", filter: ["==", ["geometry-type"], "Polygon"],
      paint: { "fill-color": COLOR, "fill-opacity": 0.12 },
    });
    map.addLayer({
      id: "data-line", type: "line", source: "data",
      filter: ["any", ["==", ["geometry-type"], "Polygon"], ["==", ["geometry-type"], "LineString"]],
      paint: { "line-color": COLOR, "line-width": 2 },
    });
    map.addLayer({
      id: "data-points", type: "circle", source: "data", filter: ["==", ["geometry-type"], "Point"],
      paint: {
        "circle-color": COLOR, "circle-radius": 5,
        "circle-stroke-color": "#ffffff", "circle-stroke-width": 1.5,
      },
    });
    ["data-points", "data-fill"].forEach(function (layer) {
      map.on("click", layer, function (event) {
        var props = event.features[0].properties || {};
        var label = props.label || props.name || props["名称"] || props.title || "";
        if (!label) return;
        // setText: file content is never parsed as HTML.
        new maplibregl.Popup().setLngLat(event.lngLat).setText(String(label)).addTo(map);
      });
    });
  }

  function fit(map, data) {
    var b = bounds(data);
    if (!b) return;
    if (b[0] === b[2] && b[1] === b[3]) {
      map.jumpTo({ center: [b[0], b[1]], zoom: 13 });
    } else {
      map.fitBounds([[b[0], b[1]], [b[2], b[3]]], { padding: 24, maxZoom: 15, animate: false });
    }
  }

  function drawBox(map, element) {
    var button = document.querySelector(element.getAttribute("data-draw-button"));
    var input = document.querySelector(element.getAttribute("data-draw-input"));
    if (!button || !input) return;
    button.hidden = false;
    var status = document.querySelector(element.getAttribute("data-draw-status"));
    var start = null;
    var active = false;
    map.addSource("box", { type: "geojson", data: { type: "FeatureCollection", features: [] } });
    map.addLayer({ id: "box", type: "line", source: "box", paint: { "line-color": "#b3261e", "line-width": 2, "line-dasharray": [2, 1] } });

    function stop() {
      active = false;
      start = null;
      map.dragPan.enable();
      map.getCanvas().style.cursor = "";
      button.setAttribute("aria-pressed", "false");
      if (status) status.textContent = "";
    }
    button.addEventListener("click", function () {
      if (active) { stop(); return; }
      active = true;
      map.dragPan.disable();
      map.getCanvas().style.cursor = "crosshair";
      button.setAttribute("aria-pressed", "true");
      if (status) status.textContent = config.labels.drawing;
    });
    document.addEventListener("keydown", function (event) {
      if (active && event.key === "Escape") stop();
    });
    map.on("mousedown", function (event) {
      if (active) start = event.lngLat;
    });
    map.on("mousemove", function (event) {
      if (!active || !start) return;
      var p = event.lngLat;
      map.getSource("box").setData(boxPolygon(
        Math.min(start.lng, p.lng), Math.min(start.lat, p.lat),
        Math.max(start.lng, p.lng), Math.max(start.lat, p.lat)));
    });
    map.on("mouseup", function (event) {
      if (!active || !start) return;
      var p = event.lngLat;
      var r = function (v) { return Math.round(v * 10000) / 10000; };
      var box = [
        r(Math.max(-180, Math.min(start.lng, p.lng))), r(Math.max(-90, Math.min(start.lat, p.lat))),
        r(Math.min(180, Math.max(start.lng, p.lng))), r(Math.min(90, Math.max(start.lat, p.lat))),
      ];
      stop();
      if (box[0] === box[2] || box[1] === box[3]) return;
      input.value = box.join(",");
      if (input.form) input.form.requestSubmit ? input.form.requestSubmit() : input.form.submit();
    });
  }

  function setUp(element) {
    var map = new maplibregl.Map({
      container: element,
      style: style(),
      center: [137.5, 36.5], // Japan, until the data says where to look
      zoom: 3.5,
      attributionControl: config.tiles ? { compact: false } : false,
    });
    map.addControl(new maplibregl.NavigationControl({ showCompass: false }));
    window.renkeiMaps.push(map);
    // A map made inside a closed <details> has no size until it opens.
    var details = element.closest("details");
    if (details) details.addEventListener("toggle", function () { if (details.open) map.resize(); });

    function show(data) {
      addDataLayers(map, data);
      fit(map, data);
      map.once("idle", function () { element.setAttribute("data-ready", "true"); });
    }

    map.on("load", function () {
      if (element.hasAttribute("data-draw-button")) drawBox(map, element);
      var url = element.getAttribute("data-geojson-url");
      if (url) {
        fetch(url, { credentials: "same-origin" })
          .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
          .then(show)
          .catch(function () { element.setAttribute("data-ready", "error"); });
        return;
      }
      var extents = element.getAttribute("data-extents");
      var data = extents ? extentsToGeojson(readJson(extents) || []) : readJson(element.getAttribute("data-geojson"));
      if (data) show(data);
      else element.setAttribute("data-ready", "true");
    });
  }

  document.querySelectorAll("[data-map]").forEach(setUp);
})();
