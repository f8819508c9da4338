// The letter composer, made livelier. Without this file the form still works:
// its buttons post it and the page comes back with the same figures and
// warnings. With it: characters, pages and cost update as the writer types
// (static/pages.js: the same text and pages as src/letters/pages.rs, the
// signature and the reply code included; the server's figures replace these
// when the live check answers), warnings come from POST /letters/check a moment
// after typing stops, and the draft saves itself every few seconds.
(function () {
  "use strict";

  var form = document.getElementById("composer");
  if (!form || !window.fetch) {
    return;
  }
  var body = form.querySelector("#body");
  var pageChars = parseInt(form.getAttribute("data-page-chars"), 10) || 2500;
  var lang = form.getAttribute("data-lang") || "ru";
  var autosaveUrl = form.getAttribute("data-autosave-url") || "";
  var csrfInput = form.querySelector('input[name="csrf_token"]');
  var statusLine = document.getElementById("autosave-status");
  var warningsBox = document.getElementById("warnings");
  var CHECK_DELAY = 700;
  var SAVE_DELAY = 3000;

  function charCount(text) {
    var n = 0;
    // for..of walks code points, as Rust's chars() does.
    for (var ch of text) {
      if (ch !== "\r") {
        n += 1;
      }
    }
    return n;
  }

  // The same format as letters::format_rub.
  function formatRub(minor) {
    var sign = minor < 0 ? "-" : "";
    var abs = Math.abs(minor);
    var whole = Math.floor(abs / 100);
    var cents = abs % 100;
    var centsText = cents < 10 ? "0" + cents : String(cents);
    if (lang === "en") {
      return sign + "RUB " + whole + (cents ? "." + centsText : "");
    }
    return sign + whole + (cents ? "," + centsText : "") + " ₽";
  }

  function selectedChannel() {
    return form.querySelector('input[name="channel"]:checked');
  }

  function replyBlank() {
    var box = form.querySelector('input[name="reply_blank"]');
    return box && box.checked;
  }

  var penName = form.querySelector("#pen_name");

  function pageCount() {
    var P = window.KonvertPages;
    if (!body.value.trim()) {
      return 0;
    }
    if (!P) {
      return Math.ceil(charCount(body.value) / pageChars);
    }
    // Every letter gets a reply code when first saved; any code fills the
    // same pages as the placeholder.
    var text = P.serviceText(body.value, penName ? penName.value : "", P.REPLY_CODE_PLACEHOLDER);
    return P.splitPages(text, pageChars).length;
  }

  function updateFigures() {
    var chars = charCount(body.value);
    var pages = pageCount();
    document.getElementById("fig-chars").textContent = String(chars);
    document.getElementById("fig-pages").textContent = String(pages);
    var channel = selectedChannel();
    var pagePrice = channel ? channel.getAttribute("data-page-price") : "";
    var costRow = document.getElementById("fig-cost-row");
    if (!pagePrice) {
      costRow.hidden = true;
      return;
    }
    var cost = 0;
    if (pages > 0) {
      cost = pages * parseInt(pagePrice, 10);
      if (replyBlank()) {
        cost += parseInt(channel.getAttribute("data-blank-price") || "0", 10);
      }
    }
    document.getElementById("fig-cost").textContent = formatRub(cost);
    costRow.hidden = false;
  }

  function showChannel() {
    var channel = selectedChannel();
    var value = channel ? channel.value : "";
    var sections = form.querySelectorAll(".letters-address");
    for (var i = 0; i < sections.length; i += 1) {
      sections[i].hidden = sections[i].getAttribute("data-channel") !== value;
    }
    var eLetter = channel && channel.getAttribute("data-e-letter") === "1";
    var row = document.getElementById("reply-blank-row");
    if (row) {
      row.hidden = !eLetter;
    }
  }

  // The form's fields, as the server reads them, without the buttons.
  function fields(extra) {
    var data = new URLSearchParams(new FormData(form));
    data.delete("action");
    data.delete("use_starter");
    if (csrfInput) {
      data.set("csrf_token", csrfInput.value);
    }
    if (extra) {
      Object.keys(extra).forEach(function (k) {
        data.set(k, extra[k]);
      });
    }
    return data;
  }

  function post(url, data) {
    return fetch(url, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { Accept: "application/json" }
    }).then(function (res) {
      if (!res.ok) {
        throw new Error("HTTP " + res.status);
      }
      return res.json();
    });
  }

  function renderWarnings(warnings) {
    while (warningsBox.firstChild) {
      warningsBox.removeChild(warningsBox.firstChild);
    }
    var p = document.createElement("p");
    if (!warnings.length) {
      p.className = "warnings-none";
      p.textContent = warningsBox.getAttribute("data-none");
      warningsBox.appendChild(p);
      return;
    }
    p.className = "warnings-intro";
    p.textContent = warningsBox.getAttribute("data-intro");
    warningsBox.appendChild(p);
    var list = document.createElement("ul");
    list.className = "warnings";
    warnings.forEach(function (w) {
      var item = document.createElement("li");
      item.setAttribute("data-kind", w.kind);
      var label = document.createElement("strong");
      label.textContent = w.label;
      item.appendChild(label);
      item.appendChild(document.createTextNode(": "));
      w.words.forEach(function (word, i) {
        if (i > 0) {
          item.appendChild(document.createTextNode(", "));
        }
        var mark = document.createElement("mark");
        mark.textContent = word;
        item.appendChild(mark);
      });
      list.appendChild(item);
    });
    warningsBox.appendChild(list);
  }

  var checkTimer = null;
  function scheduleCheck() {
    clearTimeout(checkTimer);
    checkTimer = setTimeout(function () {
      var asked = fields().toString();
      post("/letters/check", fields()).then(function (data) {
        renderWarnings(data.warnings || []);
        // The server's count is the one the letter is priced at, unless the
        // writer has typed on since it was asked.
        if (fields().toString() !== asked) {
          return;
        }
        if (typeof data.pages === "number") {
          document.getElementById("fig-pages").textContent = String(data.pages);
        }
        if (data.cost_text) {
          document.getElementById("fig-cost").textContent = data.cost_text;
        }
      }).catch(function () {
        // The warnings already shown stay; the server checks again on save.
      });
    }, CHECK_DELAY);
  }

  var saveTimer = null;
  var creating = false;
  function say(text) {
    if (statusLine) {
      statusLine.textContent = text;
    }
  }
  function saved() {
    var now = new Date();
    var mm = now.getMinutes() < 10 ? "0" + now.getMinutes() : String(now.getMinutes());
    say(form.getAttribute("data-saved-text") + " " + now.getHours() + ":" + mm);
  }
  function failed() {
    say(form.getAttribute("data-save-failed-text"));
  }
  function autosave() {
    if (autosaveUrl) {
      post(autosaveUrl, fields()).then(saved).catch(failed);
      return;
    }
    // No draft yet: the first change worth keeping creates one.
    if (creating || !body.value.trim()) {
      return;
    }
    creating = true;
    post("/letters", fields({ action: "save" })).then(function (data) {
      autosaveUrl = "/letters/" + data.id + "/autosave";
      form.setAttribute("action", "/letters/" + data.id);
      if (window.history && window.history.replaceState) {
        window.history.replaceState(null, "", data.edit_url);
      }
      saved();
    }).catch(function () {
      creating = false;
      failed();
    });
  }
  function scheduleSave() {
    clearTimeout(saveTimer);
    saveTimer = setTimeout(autosave, SAVE_DELAY);
  }

  function changed() {
    updateFigures();
    scheduleCheck();
    scheduleSave();
  }

  body.addEventListener("input", changed);
  if (penName) {
    penName.addEventListener("input", changed);
  }
  form.addEventListener("change", function (e) {
    if (e.target && e.target.name === "channel") {
      showChannel();
    }
    changed();
  });
  form.addEventListener("submit", function () {
    // The buttons post the form themselves; a late autosave must not race them.
    clearTimeout(saveTimer);
    clearTimeout(checkTimer);
  });

  var starters = form.querySelectorAll("button.starter");
  for (var i = 0; i < starters.length; i += 1) {
    starters[i].addEventListener("click", function (e) {
      e.preventDefault();
      var text = this.getAttribute("data-body") || "";
      if (body.value.trim() && !window.confirm(form.getAttribute("data-replace-text"))) {
        return;
      }
      body.value = text;
      body.focus();
      changed();
    });
  }

  showChannel();
  updateFigures();
})();
