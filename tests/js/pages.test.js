// Runs static/pages.js over tests/fixtures/pages.json, the cases
// src/letters/pages.rs is tested against: the composer's live count must be
// the server's. `node tests/js/pages.test.js`; tests/api/eletters.rs runs it.
"use strict";
var path = require("path");
var pages = require(path.join(__dirname, "..", "..", "static", "pages.js"));
var cases = require(path.join(__dirname, "..", "fixtures", "pages.json"));

var failed = 0;
cases.forEach(function (c) {
  var body = c.body.map(function (p) { return p[0].repeat(p[1]); }).join("");
  var text = pages.serviceText(body, c.signature, c.reply_code);
  var got = pages.splitPages(text, c.per_page).map(function (p) { return Array.from(p).length; });
  if (JSON.stringify(got) !== JSON.stringify(c.page_chars)) {
    failed += 1;
    console.error("FAIL " + c.name + ": " + JSON.stringify(got) + " != " + JSON.stringify(c.page_chars));
  }
});
if (failed) {
  process.exit(1);
}
console.log(cases.length + " page cases agree");
