// sekisho console: the only script (no inline script is allowed by the CSP).
"use strict";
document.addEventListener("submit", function (ev) {
  var f = ev.target;
  var msg = f && f.getAttribute && f.getAttribute("data-confirm");
  if (msg && !window.confirm(msg)) {
    ev.preventDefault();
  }
});
// Bulk actions: the header checkbox selects every row.
document.addEventListener("change", function (ev) {
  var t = ev.target;
  if (t && t.id === "bulk-all") {
    var boxes = document.querySelectorAll("input.bulk-id");
    for (var i = 0; i < boxes.length; i++) {
      boxes[i].checked = t.checked;
    }
  }
});
