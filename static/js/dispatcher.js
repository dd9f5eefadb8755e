/* The dispatcher's unit choosers (docs/dispatch.md, "Choosing units"): the plain <select> of the page becomes a
   searchable tree with the vendored Tom Select. Each <option> carries data-depth (its place in the tree of units),
   data-area (the names of the areas it covers, ancestors included) and data-name; typing part of a unit's name
   or of its area finds it. A multiple select (co-units) is chosen with clicks only: each click adds a unit, the
   × on a unit removes it. Without JavaScript the page keeps the plain select with indented names. */
(function () {
  "use strict";

  function escape(text) {
    var span = document.createElement("span");
    span.textContent = text == null ? "" : String(text);
    return span.innerHTML;
  }

  function enhance(select) {
    if (select.tomselect || typeof window.TomSelect !== "function") {
      return;
    }
    var many = select.multiple;
    var settings = {
      valueField: "value",
      labelField: "name",
      searchField: ["name", "area"],
      sortField: [{field: "$score"}, {field: "$order"}],
      lockOptgroupOrder: true,
      maxOptions: null,
      hidePlaceholder: false,
      placeholder: select.getAttribute("data-placeholder") || "",
      closeAfterSelect: !many,
      setFirstOptionActive: true,  // type part of a name, then Enter takes the first match
      // Filter on every key, not 300 ms later: a refresh still pending when the dispatcher clicks a match
      // re-opened the list over the next field (with 443 units, filtering takes a millisecond).
      refreshThrottle: 0,
      // The × on a chosen unit is titled in the page's language (Tom Select's own title is English).
      plugins: many ? {remove_button: {title: select.getAttribute("data-remove") || ""}, checkbox_options: {}} : [],
      render: {
        option: function (data) {
          var depth = parseInt(data.depth || "0", 10);
          return '<div class="unit-option" style="padding-left:' + (0.3 + depth * 1.2) + 'em">' +
            '<span class="unit-name">' + escape(data.name || data.text) + "</span>" +
            (data.area ? '<span class="unit-area">' + escape(data.area) + "</span>" : "") + "</div>";
        },
        item: function (data) {
          return "<div>" + escape(data.name || data.text) + "</div>";
        },
        no_results: function () {
          return '<div class="no-results">' + escape(select.getAttribute("data-no-results") || "") + "</div>";
        }
      }
    };
    if (!many) {
      settings.allowEmptyOption = true;
      // The pick is made: nothing typed before it may re-open the list afterwards.
      settings.onItemAdd = function () {
        if (this.refreshTimeout) {
          window.clearTimeout(this.refreshTimeout);
          this.refreshTimeout = null;
        }
        this.close();
      };
    }
    new window.TomSelect(select, settings);
  }

  function start() {
    var choosers = document.querySelectorAll("select[data-unit-chooser]");
    for (var i = 0; i < choosers.length; i += 1) {
      enhance(choosers[i]);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
