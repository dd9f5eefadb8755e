/* Small improvements on every page. A table wider than a phone scrolls inside its card: it is made
   reachable and scrollable with the keyboard, and named for screen readers by the heading above it. */
(function () {
  "use strict";
  var mark = function () {
    Array.prototype.forEach.call(document.querySelectorAll("table.data"), function (table) {
      if (table.scrollWidth > table.clientWidth + 1) {
        table.setAttribute("tabindex", "0");
        table.setAttribute("role", "region");
        var heading = table.closest("section") && table.closest("section").querySelector("h2, h1");
        if (heading) table.setAttribute("aria-label", heading.textContent.trim());
      }
    });
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mark); else mark();
  window.addEventListener("resize", mark);
})();
