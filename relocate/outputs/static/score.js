/* score.js: the pure scoring core (split out of app.js). */
