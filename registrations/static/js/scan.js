// Offline verifier (/verify/scan): reads a certificate's QR code (camera or pasted address),
// verifies the token's EdDSA signature with WebCrypto against the office's keys kept on this
// device, and reads its bit in the kept revocation list. The words come from the page (data-strings,
// in the reader's language); facts are written with textContent only.
(function () {
  "use strict";
  var app = document.getElementById("scan-app");
  if (!app) {
    return;
  }
  var config = JSON.parse(app.dataset.config);
  var words = JSON.parse(app.dataset.strings);
  var locale = app.dataset.locale || "fr";
  var CACHE = "verify-scan-v1";
  var STORE = "verify-scan:";
  var $ = function (id) { return document.getElementById(id); };

  function fill(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_match, key) { return String(values[key]); });
  }
  function formatTime(ms) {
    return new Intl.DateTimeFormat(locale, {dateStyle: "medium", timeStyle: "short"}).format(new Date(ms));
  }
  function formatDate(iso) {
    var p = String(iso).split("-");
    var month = (config.calendar.months || [])[+p[1] - 1];
    return month ? (+p[2]) + " " + month + " " + p[0] : String(iso);
  }
  function countryName(code) {
    return (config.calendar.countries || {})[code] || code;
  }
  function bytesOf(text) {
    var s = text.replace(/-/g, "+").replace(/_/g, "/");
    while (s.length % 4) { s += "="; }
    var binary = atob(s);
    var out = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) { out[i] = binary.charCodeAt(i); }
    return out;
  }
  function jsonOf(part) {
    return JSON.parse(new TextDecoder("utf-8", {fatal: true}).decode(bytesOf(part)));
  }
  function load(key) {
    try { return JSON.parse(window.localStorage.getItem(STORE + key)); } catch (error) { return null; }
  }
  function save(key, value) {
    window.localStorage.setItem(STORE + key, JSON.stringify(value));
  }

  // ------------------------------------------------------------ signatures

  function verifyJws(token, keys) {
    var parts = String(token).trim().split(".");
    var header, claims;
    if (parts.length !== 3) {
      return Promise.resolve({ok: false, reason: "malformed"});
    }
    try {
      header = jsonOf(parts[0]);
      claims = jsonOf(parts[1]);
    } catch (error) {
      return Promise.resolve({ok: false, reason: "refused"});
    }
    if (!header || header.alg !== "EdDSA" || !claims || typeof claims !== "object") {
      return Promise.resolve({ok: false, reason: "refused"});
    }
    var jwks = keys || (load("jwks") || {}).jwks || {keys: []};
    var jwk = jwks.keys.filter(function (k) { return k.kid === header.kid; })[0];
    if (!jwk) {
      return Promise.resolve({ok: false, reason: "unknown_key"});
    }
    var data = new TextEncoder().encode(parts[0] + "." + parts[1]);
    return crypto.subtle.importKey("jwk", {kty: "OKP", crv: "Ed25519", x: jwk.x}, {name: "Ed25519"}, false, ["verify"])
      .then(function (key) { return crypto.subtle.verify({name: "Ed25519"}, key, bytesOf(parts[2]), data); })
      .then(function (good) {
        if (!good) { return {ok: false, reason: "refused"}; }
        if (claims.iss !== config.issuer) { return {ok: false, reason: "other_issuer"}; }
        return {ok: true, claims: claims};
      })
      .catch(function () { return {ok: false, reason: "refused"}; });
  }

  // ------------------------------------------------------------ keys and revocation lists

  function knownLists() {
    return load("lists") || [1];
  }
  function refreshKeys() {
    return fetch(config.jwks, {cache: "no-store"}).then(function (response) {
      if (!response.ok) { throw new Error("keys " + response.status); }
      return response.json();
    }).then(function (jwks) {
      save("jwks", {jwks: jwks, fetched: Date.now()});
      return jwks;
    });
  }
  function refreshList(number) {
    return fetch(config.statusBase + number, {cache: "no-store"}).then(function (response) {
      if (!response.ok) { throw new Error("list " + response.status); }
      return response.text();
    }).then(function (token) {
      return verifyJws(token).then(function (result) {
        if (!result.ok) { throw new Error("list signature"); }
        save("list:" + number, {token: token, fetched: Date.now()});
        var lists = knownLists();
        if (lists.indexOf(number) < 0) { lists.push(number); save("lists", lists); }
      });
    });
  }
  function refreshAll() {
    return refreshKeys().then(function () {
      return Promise.all(knownLists().map(refreshList));
    }).then(showLists);
  }
  function showLists() {
    var times = knownLists().map(function (n) { return (load("list:" + n) || {}).fetched; })
      .filter(function (t) { return t; });
    $("scan-lists").textContent = times.length
      ? fill(words.lists_fetched, {time: formatTime(Math.min.apply(null, times))})
      : words.lists_never;
  }
  function gunzip(bytes) {
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Response(stream).arrayBuffer().then(function (buffer) { return new Uint8Array(buffer); });
  }
  function revocation(index) {
    var number = Math.floor(index / config.listSize) + 1;
    var position = index % config.listSize;
    var fetchFirst = load("list:" + number) ? Promise.resolve() : refreshList(number).catch(function () {});
    return fetchFirst.then(function () {
      var kept = load("list:" + number);
      if (!kept) { return null; }
      return verifyJws(kept.token).then(function (result) {
        if (!result.ok) { return null; }
        var encoded = result.claims.credentialSubject.encodedList;
        return gunzip(bytesOf(encoded.slice(1))).then(function (bits) {
          return {revoked: (bits[position >> 3] & (0x80 >> (position & 7))) !== 0, fetched: kept.fetched};
        });
      });
    });
  }

  // ------------------------------------------------------------ showing a result

  function addFact(list, label, value) {
    if (value === undefined || value === null || value === "") { return; }
    var dt = document.createElement("dt");
    dt.className = "col-sm-4";
    dt.textContent = label;
    var dd = document.createElement("dd");
    dd.className = "col-sm-8";
    var bdi = document.createElement("bdi");
    bdi.textContent = value;
    dd.appendChild(bdi);
    list.appendChild(dt);
    list.appendChild(dd);
  }
  function show(kind, text) {
    var verdict = $("scan-verdict");
    verdict.className = "alert alert-" + kind;
    verdict.textContent = text;
    verdict.hidden = false;
  }
  function tokenOf(text) {
    var value = String(text || "").trim();
    var hash = value.indexOf("#");
    return hash >= 0 ? value.slice(hash + 1) : value;
  }
  function verify(text) {
    var facts = $("scan-facts");
    var revocationLine = $("scan-revocation");
    facts.replaceChildren();
    facts.hidden = true;
    revocationLine.hidden = true;
    var token = tokenOf(text);
    return verifyJws(token).then(function (result) {
      if (!result.ok) {
        show("danger", words[result.reason] || words.refused);
        app.dataset.verdict = result.reason;
        $("scan-result").focus();
        return;
      }
      var c = result.claims;
      addFact(facts, words.holder, c.nn ? c.nm + " · " + c.nn : c.nm);
      addFact(facts, words.agency, c.ag);
      addFact(facts, words.session, c.ti);
      addFact(facts, words.place, c.ci + ", " + countryName(c.co));
      addFact(facts, words.dates, c.sd === c.ed ? formatDate(c.sd) : formatDate(c.sd) + " – " + formatDate(c.ed));
      addFact(facts, words.attendance, fill(words.attended, {attended: c.da, held: c.dh}));
      addFact(facts, words.serial, c.sn);
      addFact(facts, words.issued, formatDate(c.isd));
      addFact(facts, words.issuer, config.issuerName ? config.issuerName + " (" + c.iss + ")" : c.iss);
      addFact(facts, words.code, c.jti);
      facts.hidden = false;
      return revocation(c.st).then(function (status) {
        if (status === null) {
          show("warning", words.valid);
          revocationLine.textContent = words.status_unknown;
          app.dataset.verdict = "unchecked";
        } else if (status.revoked) {
          show("danger", fill(words.revoked, {time: formatTime(status.fetched)}));
          revocationLine.textContent = "";
          app.dataset.verdict = "revoked";
        } else {
          show("success", words.valid);
          revocationLine.textContent = fill(words.not_revoked, {time: formatTime(status.fetched)});
          app.dataset.verdict = "valid";
        }
        revocationLine.hidden = !revocationLine.textContent;
        $("scan-result").focus();
      });
    });
  }

  $("scan-form").addEventListener("submit", function (event) {
    event.preventDefault();
    verify($("scan-input").value);
  });
  $("scan-refresh").addEventListener("click", function () {
    refreshAll().catch(function () { $("scan-lists").textContent = words.refresh_failed; });
  });

  // ------------------------------------------------------------ camera

  var stream = null;
  var detector = null;
  function stopCamera() {
    if (stream) { stream.getTracks().forEach(function (track) { track.stop(); }); }
    stream = null;
    $("scan-video").hidden = true;
    $("scan-stop").hidden = true;
    $("scan-camera").hidden = false;
  }
  function found(text) {
    stopCamera();
    $("scan-input").value = text;
    verify(text);
  }
  function loadJsQR() {
    if (window.jsQR) { return Promise.resolve(window.jsQR); }
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = config.jsqr;
      script.onload = function () { resolve(window.jsQR); };
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }
  function readFrame() {
    var video = $("scan-video");
    if (!stream) { return; }
    if (video.readyState < 2) { window.requestAnimationFrame(readFrame); return; }
    if (detector) {
      detector.detect(video).then(function (codes) {
        if (codes.length) { found(codes[0].rawValue); } else { window.setTimeout(readFrame, 150); }
      }).catch(function () { window.setTimeout(readFrame, 300); });
      return;
    }
    var canvas = $("scan-canvas");
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    var context = canvas.getContext("2d", {willReadFrequently: true});
    context.drawImage(video, 0, 0);
    var image = context.getImageData(0, 0, canvas.width, canvas.height);
    var code = window.jsQR(image.data, image.width, image.height, {inversionAttempts: "dontInvert"});
    if (code && code.data) { found(code.data); } else { window.setTimeout(readFrame, 150); }
  }
  $("scan-camera").addEventListener("click", function () {
    var status = $("scan-camera-status");
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      status.textContent = words.no_camera;
      return;
    }
    var reader = ("BarcodeDetector" in window)
      ? Promise.resolve().then(function () { detector = new window.BarcodeDetector({formats: ["qr_code"]}); })
      : loadJsQR();
    reader.then(function () {
      return navigator.mediaDevices.getUserMedia({video: {facingMode: "environment"}, audio: false});
    }).then(function (media) {
      stream = media;
      var video = $("scan-video");
      video.srcObject = media;
      video.hidden = false;
      $("scan-stop").hidden = false;
      $("scan-camera").hidden = true;
      status.textContent = words.scanning;
      return video.play().then(readFrame);
    }).catch(function () {
      stopCamera();
      status.textContent = words.no_camera;
    });
  });
  $("scan-stop").addEventListener("click", stopCamera);

  // ------------------------------------------------------------ offline readiness

  function pageFiles() {
    var urls = [location.pathname, config.jsqr, config.jwks];
    document.querySelectorAll("link[rel=stylesheet], link[rel=manifest], link[rel=icon], script[src], img[src]")
      .forEach(function (element) { urls.push(element.getAttribute("href") || element.getAttribute("src")); });
    return urls.filter(function (url, index) { return url && urls.indexOf(url) === index; });
  }
  function prepareOffline() {
    var worker = ("serviceWorker" in navigator)
      ? navigator.serviceWorker.register(config.worker, {scope: config.scope}).then(function () {
        return navigator.serviceWorker.ready;
      })
      : Promise.reject(new Error("no service worker"));
    var files = ("caches" in window)
      ? caches.open(CACHE).then(function (cache) { return cache.addAll(pageFiles()); })
      : Promise.reject(new Error("no cache"));
    return Promise.all([worker, files]);
  }

  showLists();
  var online = refreshAll().catch(function () { showLists(); });
  Promise.all([prepareOffline(), online]).then(function () {
    $("scan-ready").textContent = words.offline_ready;
    app.dataset.ready = "true";
  }).catch(function () {
    $("scan-ready").textContent = words.offline_not_ready;
  });
})();
