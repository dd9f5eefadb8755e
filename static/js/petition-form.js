/* The citizen's form, improved when JavaScript runs (it works without): a search over the categories,
   suggestions from the words typed, previews of the chosen files, the phone's camera, a character
   counter and an upload progress bar. No library, nothing loaded from outside the site. */
(function () {
  "use strict";
  var form = document.querySelector("form.card.form");
  if (!form) return;
  var lang = document.documentElement.lang || "zh-hans";
  var zh = lang.indexOf("zh") === 0;
  var t = function (z, e) { return zh ? z : e; };

  // Categories: a search box that narrows the grouped list.
  var select = document.getElementById("id_classification");
  if (select) {
    var search = document.createElement("input");
    search.type = "search";
    search.id = "id_classification_search";
    // The categories are named in Chinese (the city's standard), in English pages too: the English box says so.
    search.placeholder = t("搜索分类，如：噪音、停车、供暖", "Search the Chinese names, e.g. 噪音 noise, 停车 parking");
    search.setAttribute("aria-label", t("搜索分类", "Search categories"));
    select.parentNode.insertBefore(search, select);
    var nothing = document.createElement("p");
    nothing.className = "help";
    nothing.setAttribute("role", "status");
    select.parentNode.insertBefore(nothing, select.nextSibling);
    search.addEventListener("input", function () {
      var q = search.value.trim();
      var found = false;
      Array.prototype.forEach.call(select.querySelectorAll("optgroup"), function (group) {
        var any = false;
        Array.prototype.forEach.call(group.children, function (option) {
          var hit = !q || option.textContent.indexOf(q) >= 0 || group.label.indexOf(q) >= 0;
          option.hidden = !hit; any = any || hit;
        });
        group.hidden = !any;
        found = found || any;
      });
      nothing.textContent = found ? "" : t("没有找到这个词的分类：换个词试试，或选“不确定”，由热线归类。",
        "No category has this word (their names are in Chinese): try another word, or choose “Not sure” and the hotline will classify it.");
    });
    // Suggestions from the words typed so far.
    var box = document.createElement("div");
    box.className = "suggestions";
    box.setAttribute("aria-live", "polite");
    select.parentNode.appendChild(box);
    var timer = null, asked = 0;
    var ask = function () {
      var text = (document.getElementById("id_title") || {}).value + " " + (document.getElementById("id_content") || {}).value;
      if (text.trim().length < 4) return;
      var mine = ++asked;  // only the newest answer is drawn: an older one arriving late is dropped
      fetch((form.dataset.suggestUrl || "/petitions/suggest/") + "?q=" + encodeURIComponent(text), {credentials: "same-origin"})
        .then(function (r) { return r.ok ? r.json() : {items: []}; })
        .then(function (data) {
          if (mine !== asked) return;
          box.textContent = "";
          if (!data.items.length) return;
          var label = document.createElement("span");
          label.textContent = t("建议分类：", "Suggested: ");
          box.appendChild(label);
          data.items.forEach(function (item) {
            var b = document.createElement("button");
            b.type = "button"; b.className = "chip"; b.textContent = item.path;
            b.addEventListener("click", function () { select.value = String(item.id); select.dispatchEvent(new Event("change")); });
            box.appendChild(b);
          });
        }).catch(function () {});
    };
    ["id_title", "id_content"].forEach(function (id) {
      var el = document.getElementById(id);
      if (el) el.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(ask, 600); });
    });
  }

  // A character counter on the long text.
  var content = document.getElementById("id_content");
  if (content && content.maxLength > 0) {
    var counter = document.createElement("small");
    counter.className = "help counter";
    counter.setAttribute("aria-live", "polite");
    var update = function () { counter.textContent = content.value.length + " / " + content.maxLength; };
    content.parentNode.appendChild(counter);
    content.addEventListener("input", update); update();
  }

  // Files: previews, and the camera on phones (its picture joins the chosen files).
  var files = document.getElementById("id_attachments");
  var previews = form.querySelector("[data-previews]");
  var camera = document.getElementById("id_camera");
  var shots = [];  // the camera's pictures: they stay when the citizen chooses files afterwards
  var show = function () {
    if (!previews || !files) return;
    previews.textContent = "";
    Array.prototype.slice.call(files.files).forEach(function (file) {
      var fig = document.createElement("figure");
      if (file.type.indexOf("image/") === 0) {
        var img = document.createElement("img");
        img.src = URL.createObjectURL(file); img.alt = file.name;
        fig.appendChild(img);
      }
      var cap = document.createElement("figcaption");
      cap.textContent = file.name + " (" + Math.ceil(file.size / 1024) + " KB)";
      fig.appendChild(cap);
      previews.appendChild(fig);
    });
  };
  // The file list a browser gives is the last choice only: the camera's pictures are added to it again.
  var withShots = function () {
    if (!shots.length) return;
    var all = new DataTransfer();
    Array.prototype.forEach.call(files.files, function (f) { if (shots.indexOf(f) < 0) all.items.add(f); });
    shots.forEach(function (f) { all.items.add(f); });
    files.files = all.files;
  };
  if (files) files.addEventListener("change", function () { withShots(); show(); });
  if (camera && files && window.DataTransfer) {
    form.querySelector("[data-camera]").hidden = false;
    camera.addEventListener("change", function () {
      Array.prototype.forEach.call(camera.files, function (f) { shots.push(f); });
      camera.value = ""; withShots(); show();
    });
  }

  // An upload progress bar: send with XHR when there are files, follow the answer as the browser would.
  var bar = form.querySelector("[data-progress]");
  form.addEventListener("submit", function (event) {
    if (!files || !files.files.length || !window.FormData || !bar) return;
    event.preventDefault();
    var xhr = new XMLHttpRequest();
    bar.hidden = false;
    xhr.upload.addEventListener("progress", function (e) { if (e.lengthComputable) bar.value = Math.round(100 * e.loaded / e.total); });
    xhr.addEventListener("load", function () {
      // Filed: the server names the next page instead of redirecting (lib/progress.py), so the page is fetched
      // once, by the browser, with its one-time message. Otherwise the form comes back with its errors.
      var to = null;
      if (xhr.status === 200 && (xhr.getResponseHeader("Content-Type") || "").indexOf("application/json") === 0) {
        try { to = JSON.parse(xhr.responseText).location; } catch (e) { to = null; }
      }
      if (to) {
        window.location.assign(to);
      } else {
        document.open(); document.write(xhr.responseText); document.close();
      }
    });
    xhr.addEventListener("error", function () { bar.hidden = true; form.submit(); });
    xhr.open("POST", form.getAttribute("action") || window.location.href);
    xhr.setRequestHeader("X-Upload-Progress", "1");
    xhr.send(new FormData(form));
  });
})();

/* The place on a map: the city's districts and streets drawn from the portal's own GeoJSON (no tiles
   unless the city configures a tile server), a tap or the phone's location sets the point, and the
   point finds its street, which fills the area. Without JavaScript the area list does the job. */
(function () {
  "use strict";
  var box = document.querySelector("[data-map]");
  if (!box || !window.L || !window.fetch) return;
  box.hidden = false;
  var zh = (document.documentElement.lang || "zh").indexOf("zh") === 0;
  var status = box.querySelector("[data-map-status]");
  var lat = document.getElementById("id_latitude"), lon = document.getElementById("id_longitude");
  var area = document.getElementById("id_area");
  var map = L.map("map", {attributionControl: false, zoomSnap: 0.5});
  if (box.dataset.tiles) L.tileLayer(box.dataset.tiles, {maxZoom: 18}).addTo(map);
  var marker = null, asked = 0;
  var mark = function (latlng) {
    if (marker) marker.setLatLng(latlng); else marker = L.circleMarker(latlng, {radius: 8, color: "#c8102e"}).addTo(map);
    lat.value = latlng.lat.toFixed(6); lon.value = latlng.lng.toFixed(6);
  };
  // The area the citizen picks from the list is theirs: a map answer still on its way no longer overrides it.
  area.addEventListener("change", function () { asked++; });
  var place = function (latlng) {
    mark(latlng);
    // Two taps in a row: only the street of the last point fills the area, whichever answer comes first.
    var mine = ++asked;
    fetch(box.dataset.locate + "?lat=" + latlng.lat + "&lon=" + latlng.lng, {credentials: "same-origin"})
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (data) {
        if (mine !== asked) return;
        if (data.area) {
          area.value = String(data.area.id);
          status.textContent = (zh ? "已定位到：" : "Located in: ") + data.area.name;
        } else {
          status.textContent = zh ? "该位置不在本市范围内，请在上方选择区域。" : "That point is outside the city: choose the area above.";
        }
      }).catch(function () {
        if (mine !== asked) return;
        // The street of an earlier point must not stay: the server finds it from the point when the form is sent.
        area.value = "";
        status.textContent = zh ? "暂时无法查询该位置所在街道：提交时将按地图位置确定，您也可以在上方选择区域。"
                                : "The street of that point could not be looked up just now: it will be found from the point when you send, or choose the area above.";
      });
  };
  fetch(box.dataset.geojson).then(function (r) { return r.json(); }).then(function (geo) {
    var layer = L.geoJSON(geo, {
      style: function (f) {
        return f.properties.level === "district" ? {color: "#59636e", weight: 2, fillOpacity: 0.04}
                                                  : {color: "#0b5cad", weight: 1, fillOpacity: 0.06, dashArray: "3"};
      },
      onEachFeature: function (f, l) { if (f.properties.level === "street") l.bindTooltip(f.properties.name); }
    }).addTo(map);
    map.fitBounds(layer.getBounds());
    // The form came back (an error elsewhere): the point is shown again; the area the citizen had is kept.
    if (lat.value && lon.value) {
      var back = L.latLng(parseFloat(lat.value), parseFloat(lon.value));
      if (area.value) mark(back); else place(back);
    }
  });
  map.on("click", function (e) { place(e.latlng); });
  var locate = box.querySelector("[data-geolocate]");
  if (!navigator.geolocation) locate.hidden = true;
  locate.addEventListener("click", function () {
    navigator.geolocation.getCurrentPosition(function (p) {
      var here = L.latLng(p.coords.latitude, p.coords.longitude); map.setView(here, 14); place(here);
    }, function () { status.textContent = zh ? "无法获取您的位置。" : "Your location is not available."; });
  });
})();
