/* controls.js: the page's Leaflet controls (split out of app.js). */
