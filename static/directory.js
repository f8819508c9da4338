// Directory pages: copy buttons for addresses and live hints on the prisoner
// form. Everything here is an extra: without JavaScript the address text is
// selectable and the server checks every form.
(function () {
  "use strict";

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    // Plain http (a local install): select the text in a scratch textarea.
    return new Promise(function (resolve, reject) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.className = "visually-hidden";
      document.body.appendChild(area);
      area.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      document.body.removeChild(area);
      if (ok) { resolve(); } else { reject(new Error("copy failed")); }
    });
  }

  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var target = document.getElementById(button.getAttribute("data-copy"));
    if (!target) { return; }
    var label = button.textContent;
    button.hidden = false;
    button.addEventListener("click", function () {
      copyText(target.textContent).then(function () {
        button.textContent = button.getAttribute("data-copied") || label;
        button.setAttribute("aria-live", "polite");
        window.setTimeout(function () { button.textContent = label; }, 2000);
      }, function () {
        // Fall back to selecting the text, so Ctrl+C does the rest.
        var range = document.createRange();
        range.selectNodeContents(target);
        var selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
      });
    });
  });

  // The reason only matters while "do not write" is ticked.
  var flag = document.getElementById("do_not_write");
  var reason = document.getElementById("do_not_write_reason");
  if (flag && reason) {
    var sync = function () { reason.required = flag.checked; };
    flag.addEventListener("change", sync);
    sync();
  }

  // Birth date: a year or a full date; say so while typing, not after sending.
  var birth = document.getElementById("birth");
  if (birth) {
    var pattern = /^\s*$|^\s*\d{4}(-\d{2}(-\d{2})?)?\s*$/;
    birth.addEventListener("input", function () {
      birth.setAttribute("aria-invalid", pattern.test(birth.value) ? "false" : "true");
    });
  }
})();
