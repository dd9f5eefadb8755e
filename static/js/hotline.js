/* The operator's console, keyboard first (docs/intake.md). Without this file the page still works: the
   selects are plain, "Look up" posts the form back. With it:
   - the area and classification selects become search boxes (Chinese, pinyin, initials) whose list shows
     each item's path, tier and default unit; Enter chooses and moves on to the next field;
   - typing the phone shows the caller's history at once; typing the content refreshes the suggestions,
     the routing preview and the knowledge base;
   - hotkeys: Alt+P/N/A/C/T focus a field, Alt+1..3 take a suggestion, Alt+K the details, Alt+Q the
     knowledge base, Ctrl+Enter saves and takes the next call. */
(function () {
  "use strict";
  var form = document.getElementById("call");
  if (!form) return;
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var $ = function (id) { return document.getElementById(id); };

  // The look-up button is for browsers without JavaScript: here the panels follow the typing.
  Array.prototype.forEach.call(form.querySelectorAll(".nojs-only"), function (el) { el.remove(); });

  function debounce(fn, ms) {
    var timer = null;
    return function () { clearTimeout(timer); timer = setTimeout(fn, ms); };
  }

  function post(url, body) {
    return fetch(url, { method: "POST", body: body, credentials: "same-origin",
                        headers: { "X-CSRFToken": csrf, "X-Requested-With": "fetch" } });
  }

  /* --- the caller's history ------------------------------------------------------------------- */
  var phone = $("id_complainant_phone");
  var looksComplete = function (value) {
    var digits = value.replace(/[^\d]/g, "");
    return /^1[3-9]\d{9}$/.test(digits) || (/^0/.test(digits) && digits.length >= 10);
  };
  // The history drawn by the server (after a look-up without JavaScript) is the typed number's.
  var lastPhone = looksComplete(phone.value.trim()) ? phone.value.trim() : null;
  // Says in the panel that a look-up failed (a lost connection, an expired session): never an error page.
  function failed(id) {
    var panel = $(id);
    var heading = (id === "history" ? $("history-blank").content : panel).querySelector("h2");
    var p = document.createElement("p");
    p.className = "error";
    p.setAttribute("role", "alert");
    p.textContent = form.dataset.lookupFailed;
    heading = heading && heading.cloneNode(true);
    panel.textContent = "";
    if (heading) panel.appendChild(heading);
    panel.appendChild(p);
  }
  function ok(r) {
    if (!r.ok || r.redirected) throw new Error(r.status);
    return r;
  }
  // A late answer for a number typed before must never show another caller's history: only the newest is
  // drawn, and once the number is no longer complete the panel forgets the last caller.
  var historyAsked = 0, historyBlank = lastPhone === null;
  var loadHistory = function () {
    var value = phone.value.trim();
    if (!looksComplete(value)) {
      historyAsked++;
      lastPhone = null;
      if (!historyBlank) { $("history").innerHTML = $("history-blank").innerHTML; historyBlank = true; }
      return;
    }
    if (value === lastPhone) return;
    lastPhone = value;
    historyBlank = false;
    var mine = ++historyAsked;
    var body = new FormData();
    body.append("complainant_phone", value);
    post(form.dataset.historyUrl, body).then(ok).then(function (r) { return r.text(); }).then(function (html) {
      if (mine === historyAsked) $("history").innerHTML = html;
    }).catch(function () {
      if (mine !== historyAsked) return;
      lastPhone = null;  // the same number typed again asks again
      failed("history");
    });
  };
  phone.addEventListener("input", debounce(loadHistory, 120));
  phone.addEventListener("change", loadHistory);

  /* --- routing preview, suggestions, knowledge base ------------------------------------------ */
  var answer = $("id_answer");
  // Only the newest answer is drawn: a slower, older one must not overwrite it. While one is awaited the
  // panels say so (aria-busy), and the article the operator chose stays chosen when the list is redrawn.
  var asked = 0;
  var panels = ["routing", "knowledge", "suggestions"];
  var busy = function (on) {
    panels.forEach(function (id) { if (on) $(id).setAttribute("aria-busy", "true"); else $(id).removeAttribute("aria-busy"); });
  };
  var refresh = debounce(function () {
    var mine = ++asked;
    post(form.dataset.assistUrl, new FormData(form)).then(ok).then(function (r) { return r.json(); }).then(function (data) {
      if (mine !== asked) return;
      var chosen = form.querySelector("#knowledge input[name=article]:checked");
      $("routing").innerHTML = data.routing;
      $("knowledge").innerHTML = data.knowledge;
      if (chosen) {
        var again = form.querySelector("#knowledge input[name=article][value='" + chosen.value + "']");
        if (again) again.checked = true;
      }
      renderSuggestions(data.suggestions);
    }).catch(function () { if (mine === asked) failed("routing"); })  /* the next keystroke asks again */
      .then(function () { if (mine === asked) busy(false); });
  }, 250);
  var assist = function () { busy(true); refresh(); };
  ["id_content", "id_kb_query", "id_title"].forEach(function (id) { $(id).addEventListener("input", assist); });
  ["id_kind", "id_area", "id_classification"].forEach(function (id) { $(id).addEventListener("change", assist); });

  $("knowledge").addEventListener("change", function (event) {
    if (event.target.name === "article") {
      // The article's answer is what the operator tells the caller; they may reword it.
      answer.value = event.target.dataset.answer || "";
    }
  });

  var kindShown = $("kind-shown");
  var kind = $("id_kind");
  var showKind = function () { kindShown.textContent = kind.options[kind.selectedIndex].text; };
  kind.addEventListener("change", showKind);
  showKind();

  /* --- suggestions ------------------------------------------------------------------------------ */
  var suggestions = [];
  function renderSuggestions(items) {
    suggestions = items || [];
    var box = $("suggestions");
    box.textContent = "";
    if (!suggestions.length) return;
    var label = document.createElement("span");
    label.className = "muted";
    label.textContent = box.dataset.label + ": ";
    box.appendChild(label);
    suggestions.forEach(function (item, i) {
      var chip = document.createElement("button");
      chip.type = "button";
      chip.className = "chip";
      chip.tabIndex = -1;
      chip.innerHTML = "<kbd>Alt+" + (i + 1) + "</kbd> ";
      chip.appendChild(document.createTextNode(item.name + " "));
      var small = document.createElement("small");
      small.textContent = item.path;
      chip.appendChild(small);
      chip.title = item.path + " / " + item.name + " · " + item.tier + (item.unit ? " · " + item.unit : "");
      chip.addEventListener("click", function () { pickers.classification.choose(item, true); });
      box.appendChild(chip);
    });
  }
  // The chips drawn by the server (after a look-up without JavaScript) work the same way.
  Array.prototype.forEach.call($("suggestions").querySelectorAll(".chip"), function (chip) {
    suggestions.push({ pk: +chip.dataset.pk, name: chip.dataset.name, path: chip.dataset.path,
                       tier: chip.dataset.tier, unit: chip.dataset.unit, leaf: true });
    chip.type = "button";
    chip.addEventListener("click", function () {
      pickers.classification.choose(suggestions[Array.prototype.indexOf.call($("suggestions").querySelectorAll(".chip"), chip)], true);
    });
  });

  /* --- the pickers: a search box over a listbox ------------------------------------------------ */
  var pickers = {};
  var uid = 0;
  function Picker(wrapper) {
    var self = this;
    var select = wrapper.querySelector("select");
    var kindName = wrapper.dataset.picker;
    var url = kindName === "area" ? form.dataset.areasUrl : form.dataset.classificationsUrl;
    var next = wrapper.dataset.next;
    var within = "";
    var trail = [];  // the branches opened, to go back up one at a time
    var items = [];
    var active = -1;
    var listId = "picker-list-" + (++uid);

    var input = document.createElement("input");
    input.type = "text";
    input.id = select.id;            // the label keeps pointing at what the operator types in
    select.id = select.id + "_select";
    select.hidden = true;
    select.tabIndex = -1;
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);
    input.autocomplete = "off";
    input.placeholder = wrapper.dataset.placeholder || (kindName === "area" ? "市南 / shinan / sn" : "噪音 / zaoyin / zy");
    var chosen = document.createElement("div");
    chosen.className = "picker-chosen";
    var list = document.createElement("ul");
    list.id = listId;
    list.className = "picker-list";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    select.parentNode.insertBefore(input, select);
    select.parentNode.insertBefore(list, select.nextSibling);
    select.parentNode.insertBefore(chosen, list);

    var current = select.options[select.selectedIndex];
    if (current && current.value) {
      input.value = current.text.replace(/^— /, "").split(" / ").pop();
      chosen.textContent = current.text;
    }

    function render(problem) {
      list.textContent = "";
      if (within) {
        var up = document.createElement("li");
        up.className = "picker-crumb";
        up.textContent = "← " + within.path + (within.path ? " / " : "") + within.name;
        up.addEventListener("mousedown", function (e) { e.preventDefault(); back(); });
        list.appendChild(up);
      }
      items.forEach(function (item, i) {
        var li = document.createElement("li");
        li.id = listId + "-" + i;
        li.setAttribute("role", "option");
        li.className = "picker-option" + (item.leaf ? "" : " branch") + (i === active ? " active" : "");
        li.setAttribute("aria-selected", i === active ? "true" : "false");
        var name = document.createElement("span");
        name.className = "picker-name";
        name.textContent = item.name + (item.leaf ? "" : " ▸");
        var path = document.createElement("span");
        path.className = "picker-path";
        path.textContent = item.path;
        li.appendChild(name);
        li.appendChild(path);
        if (kindName === "classification") {
          var meta = document.createElement("span");
          meta.className = "picker-meta";
          meta.textContent = item.tier + (item.unit ? " · " + item.unit : "");
          li.appendChild(meta);
        }
        li.addEventListener("mousedown", function (e) { e.preventDefault(); activate(i); });
        list.appendChild(li);
      });
      if (!items.length) {
        var none = document.createElement("li");
        none.className = problem ? "picker-none error" : "picker-none";
        none.textContent = problem || "—";
        list.appendChild(none);
      }
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      input.setAttribute("aria-activedescendant", active >= 0 ? listId + "-" + active : "");
      var el = document.getElementById(listId + "-" + active);
      if (el && el.scrollIntoView) el.scrollIntoView({ block: "nearest" });
    }

    // Keys pressed while a list of the tree is on its way (an operator walks the tree faster than the server
    // answers) wait for it: they apply to the list the operator will see, never to the one being replaced.
    // While the operator types a search, the arrows act on the list shown (it narrows what they already see),
    // but Enter never chooses from a list the words have outdated: the operator goes on to the next field at
    // once, and the first match of the words typed is chosen when their answer comes (`chooseFirst`).
    // Any other answer that comes after the choice, or once the operator has left the field, is dropped.
    var seq = 0, pending = false, searching = false, waiting = [], chooseFirst = false;
    function load(walk) {
      var mine = ++seq;
      pending = walk !== false;
      searching = true;
      var q = input.value.trim();
      var params = "?q=" + encodeURIComponent(q) + (within ? "&within=" + encodeURIComponent(within.code) : "");
      return fetch(url + params, { credentials: "same-origin" }).then(function (r) {
        if (!r.ok || r.redirected) throw new Error(r.status);
        return r.json();
      }).then(function (data) {
        if (mine !== seq) return;
        pending = searching = false;
        if (chooseFirst) {
          chooseFirst = false; waiting = [];
          var first = data.items.filter(function (item) { return item.leaf || kindName !== "classification"; })[0];
          if (first) self.choose(first, true);
          return;
        }
        if (document.activeElement !== input) { waiting = []; return; }
        items = data.items;
        active = items.length ? 0 : -1;
        render();
        var keys = waiting;
        waiting = [];
        keys.forEach(function (key) { if (!pending) navigate(key); else waiting.push(key); });
      }).catch(function () {
        if (mine !== seq) return;
        if (chooseFirst) { chooseFirst = false; chosen.textContent = form.dataset.lookupFailed; }
        pending = searching = false; waiting = [];
        items = []; active = -1;
        if (document.activeElement === input) render(form.dataset.lookupFailed);
      });
    }

    function forget() { seq++; pending = searching = false; waiting = []; }

    function close() {
      if (!chooseFirst) forget();  // an Enter waiting for its answer still chooses
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
    }

    function back() { within = trail.pop() || ""; load(); }

    self.choose = function (item, stay) {
      if (!select.querySelector('option[value="' + item.pk + '"]')) return false;
      within = ""; trail = [];  // the next search looks through the whole list again
      select.value = String(item.pk);
      input.value = item.name;
      chosen.textContent = (item.path ? item.path + " / " : "") + item.name +
        (item.tier && kindName === "classification" ? " · " + item.tier + (item.unit ? " · " + item.unit : "") : "");
      close();
      select.dispatchEvent(new Event("change"));
      if (!stay && next) { var target = $(next); if (target) target.focus(); }
      return true;
    };

    function activate(i) {
      var item = items[i];
      if (!item) return;
      if (kindName === "classification" && !item.leaf) {
        trail.push(within); within = item; input.value = ""; load(); return;
      }
      self.choose(item, false);
    }

    input.addEventListener("input", function () {
      chooseFirst = false;
      var had = select.value;
      select.value = "";
      chosen.textContent = "";
      waiting = [];
      if (had) select.dispatchEvent(new Event("change"));  // the routing preview forgets the item too
      load(false);
    });
    input.addEventListener("focus", function () { if (!select.value) load(); });
    // Closed a moment after leaving (a click on the list lands first), unless the operator is already back.
    input.addEventListener("blur", function () {
      setTimeout(function () { if (document.activeElement !== input) close(); }, 150);
    });
    var walking = { ArrowDown: 1, ArrowUp: 1, Enter: 1, ArrowRight: 1, ArrowLeft: 1 };
    // One navigation key on the list as it is shown; true when the key was the list's.
    function navigate(key) {
      if (key === "ArrowDown") {
        if (list.hidden) { load(); return true; }
        active = Math.min(items.length - 1, active + 1); render();
      } else if (key === "ArrowUp") {
        active = Math.max(0, active - 1); render();
      } else if (key === "Enter") {
        if (!list.hidden && active >= 0) activate(active);
        else if (select.value && next) $(next).focus();
      } else if (key === "ArrowRight" && kindName === "classification" && !list.hidden && items[active] && !items[active].leaf) {
        activate(active);
      } else if (key === "ArrowLeft" && kindName === "classification" && within && input.selectionStart === 0) {
        back();
      } else {
        return false;
      }
      return true;
    }
    input.addEventListener("keydown", function (e) {
      if (e.altKey || e.ctrlKey || e.metaKey) return;
      if (e.key === "Escape") { waiting = []; close(); return; }
      if (!walking[e.key]) return;
      // ArrowLeft/Right walk the classification tree; in the other pickers they stay the text's own.
      if (searching && !pending && e.key === "Enter") {
        e.preventDefault(); chooseFirst = true; close();
        if (next) { var target = $(next); if (target) target.focus(); }
        return;
      }
      if (pending && (kindName === "classification" || (e.key !== "ArrowLeft" && e.key !== "ArrowRight"))) {
        e.preventDefault(); waiting.push(e.key); return;
      }
      if (navigate(e.key)) e.preventDefault();
    });
    self.input = input;
  }
  Array.prototype.forEach.call(form.querySelectorAll("[data-picker]"), function (wrapper) {
    pickers[wrapper.dataset.picker] = new Picker(wrapper);
  });

  /* --- Enter moves on; hotkeys --------------------------------------------------------------- */
  // In the phone and name fields Enter goes to the next field instead of submitting half a call.
  [["id_complainant_phone", "id_complainant_name"], ["id_complainant_name", "id_area"]].forEach(function (pair) {
    $(pair[0]).addEventListener("keydown", function (e) {
      if (e.key === "Enter" && !e.ctrlKey) { e.preventDefault(); $(pair[1]).focus(); }
    });
  });
  // Enter in any other one-line field never saves the call (only the buttons and Ctrl+Enter do): in the
  // knowledge-base search it searches at once, elsewhere it goes on to the next field.
  form.addEventListener("keydown", function (e) {
    var field = e.target;
    if (e.key !== "Enter" || e.ctrlKey || e.altKey || e.metaKey || e.defaultPrevented) return;
    if (field.tagName !== "INPUT" || /^(submit|button|reset|image|file)$/.test(field.type)) return;
    e.preventDefault();
    if (field.id === "id_kb_query") { assist(); return; }
    var fields = Array.prototype.filter.call(form.elements, function (el) {
      return !el.disabled && el.tabIndex >= 0 && el.type !== "hidden" && !el.hidden && el.offsetParent !== null;
    });
    var next = fields[fields.indexOf(field) + 1];
    if (next) next.focus();
  });
  // A refused form comes back with the caret on the first field in error (it may be in the details panel,
  // which the page opens then), not on the phone, where the operator would see nothing wrong.
  var refused = form.querySelector(".has-error input, .has-error select, .has-error textarea");
  if (refused) { refused.focus(); if (refused.scrollIntoView) refused.scrollIntoView({ block: "center" }); }
  var focusKeys = { p: "id_complainant_phone", n: "id_complainant_name", a: "id_area", c: "id_classification",
                    t: "id_content", q: "id_kb_query" };
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey && e.key === "Enter") {
      e.preventDefault();
      $("save").click();
      return;
    }
    if (!e.altKey || e.ctrlKey || e.metaKey) return;
    var key = (e.key || "").toLowerCase();
    if (focusKeys[key]) { e.preventDefault(); $(focusKeys[key]).focus(); return; }
    if (key === "k") { e.preventDefault(); $("details").open = true; kind.focus(); return; }
    if (/^[1-3]$/.test(key)) {
      var item = suggestions[+key - 1];
      if (item) { e.preventDefault(); pickers.classification.choose(item, true); }
    }
  });
})();
