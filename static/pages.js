// How a letter falls into e-letter pages: the same rule as src/letters/pages.rs
// (the server's estimate, the price, the send screen and the gateway), so the
// composer's live count is the count the letter is priced and sent at.
// Characters are code points, as Rust's chars(); tests/fixtures/pages.json
// holds the cases both sides are tested against.
(function (root) {
  "use strict";

  var PAGE_CHARS = 2500;
  var REPLY_CODE_LABEL = "Код для ответа";
  var REPLY_CODE_PLACEHOLDER = "XX-XXXX";
  var BREAKS = [["\n", "\n"], ["\n"], [" "]];
  var ALNUM = /[\p{Alphabetic}\p{N}]/u;

  function isBlank(c) {
    return c === " " || c === "\n" || c === "\t" || c === "\r";
  }

  function trimEnd(chars, pred) {
    var end = chars.length;
    while (end > 0 && pred(chars[end - 1])) {
      end -= 1;
    }
    return chars.slice(0, end);
  }

  function trimBlanks(text) {
    var chars = trimEnd(Array.from(text), isBlank);
    var start = 0;
    while (start < chars.length && isBlank(chars[start])) {
      start += 1;
    }
    return chars.slice(start).join("");
  }

  function endsWithSignature(text, name) {
    var t = Array.from(trimEnd(Array.from(text), function (c) {
      return isBlank(c) || ".,!;…".indexOf(c) >= 0;
    }).join("").toLowerCase());
    var n = Array.from(name.toLowerCase());
    if (!n.length || n.length > t.length) {
      return false;
    }
    var start = t.length - n.length;
    for (var i = 0; i < n.length; i += 1) {
      if (t[start + i] !== n[i]) {
        return false;
      }
    }
    return start === 0 || !ALNUM.test(t[start - 1]);
  }

  function serviceText(body, signature, replyCode) {
    var text = trimEnd(Array.from(body.replace(/\r\n/g, "\n")), isBlank).join("");
    function push(paragraph) {
      text += (text ? "\n\n" : "") + paragraph;
    }
    var name = trimBlanks(signature || "");
    if (name && !endsWithSignature(text, name)) {
      push(name);
    }
    var code = trimBlanks(replyCode || "");
    if (code) {
      push(REPLY_CODE_LABEL + ": " + code);
    }
    return text;
  }

  function lastBreak(chars, from, to, sep) {
    for (var end = to; end - sep.length >= from; end -= 1) {
      var match = true;
      for (var k = 0; k < sep.length; k += 1) {
        if (chars[end - sep.length + k] !== sep[k]) {
          match = false;
          break;
        }
      }
      if (match) {
        return end - from;
      }
    }
    return -1;
  }

  function splitPages(text, perPage) {
    perPage = Math.max(1, perPage || PAGE_CHARS);
    var chars = Array.from(text);
    var end = chars.length;
    while (end > 0 && isBlank(chars[end - 1])) {
      end -= 1;
    }
    var start = 0;
    while (start < end && isBlank(chars[start])) {
      start += 1;
    }
    var pages = [];
    while (start < end) {
      if (end - start <= perPage) {
        pages.push(chars.slice(start, end).join(""));
        break;
      }
      var cut = perPage;
      for (var b = 0; b < BREAKS.length; b += 1) {
        var at = lastBreak(chars, start, start + perPage, BREAKS[b]);
        if (at > Math.floor(perPage / 2)) {
          cut = at;
          break;
        }
      }
      var pageEnd = start + cut;
      while (pageEnd > start && isBlank(chars[pageEnd - 1])) {
        pageEnd -= 1;
      }
      pages.push(chars.slice(start, pageEnd).join(""));
      start += cut;
      while (start < end && isBlank(chars[start])) {
        start += 1;
      }
    }
    return pages;
  }

  var api = {
    PAGE_CHARS: PAGE_CHARS,
    REPLY_CODE_PLACEHOLDER: REPLY_CODE_PLACEHOLDER,
    serviceText: serviceText,
    splitPages: splitPages
  };
  if (typeof module === "object" && module.exports) {
    module.exports = api;
  } else {
    root.KonvertPages = api;
  }
})(this);
