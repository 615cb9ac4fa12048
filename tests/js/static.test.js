/*
 * The page's scripts as files: what map.py can inline, and the text-only rule.
 *
 * Run: node --test tests/js/
 */
"use strict";

const { describe, it } = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const vm = require("node:vm");

const STATIC = path.resolve(__dirname, "../../relocate/outputs/static");
/** In the order map.SCRIPTS inlines them. */
const SCRIPTS = ["score.js", "core.js", "controls.js", "app.js"];
const FILES = SCRIPTS.concat(["relocate-map.css"]);

function read(name) {
  return fs.readFileSync(path.join(STATIC, name), "utf8");
}

/** The code without its comments (good enough for these files: no "/*" in strings). */
function code(text) {
  return text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
}

describe("the page's static files", () => {
  it("parse as scripts", () => {
    for (const name of SCRIPTS) new vm.Script(read(name), { filename: name });
  });

  it("hold no Jinja delimiters (folium's Element reads its text as a template)", () => {
    for (const name of FILES) {
      const found = read(name).match(/\{\{|\{%|\{#/g);
      assert.equal(found, null, name);
    }
  });

  it("never put markup into the page from a string", () => {
    const html = new RegExp("\\.(innerHTML|outerHTML)\\b|insertAdjacentHTML|document\\.write|" +
      "DOMParser|createContextualFragment");
    for (const name of SCRIPTS) assert.doesNotMatch(code(read(name)), html, name);
  });

  it("keep lines to about 100 characters", () => {
    for (const name of FILES) {
      const long = read(name).split("\n").map((line, k) => [k + 1, line.length])
        .filter(([, n]) => n > 100);
      assert.deepEqual(long, [], name);
    }
  });

  it("each define one global, in the order they are inlined", () => {
    const globals = { "score.js": "relocateScore", "core.js": "relocateCore",
      "controls.js": "relocateControls", "app.js": "relocateMap" };
    for (const name of SCRIPTS) {
      assert.match(code(read(name)), new RegExp("\\." + globals[name] + " = "), name);
    }
    // controls.js and app.js read the globals of the scripts before them, when they load.
    assert.match(code(read("controls.js")), /global\.relocateScore\b/);
    assert.match(code(read("controls.js")), /global\.relocateCore\b/);
    assert.match(code(read("app.js")), /global\.relocateControls\b/);
  });
});
