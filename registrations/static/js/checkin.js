// Check-in by personal code: typed, from a hand scanner, or read by the camera.
//
// Online, a code is posted with the form (the server checks and answers with the person).
// Without a network, the code is checked against the day's data kept on the device
// (offline.js): a signed code (CT1.<session>.<code>.<signature>) is verified with the session's
// key (WebCrypto HMAC-SHA256), so a forged code or one of another session is refused offline
// too; the mark is queued like any mark of the sheet and sent when the network returns.
// The camera uses the browser's BarcodeDetector where it exists, else jsQR (served by the app).
(function () {
  "use strict";
  var form = document.getElementById("checkin-form");
  var box = document.getElementById("checkin-result");
  if (!form || !box) {
    return;
  }
  var offline = window.AttendanceOffline;
  var field = form.querySelector("input[name=code]");
  var text = function (name) {
    return box.getAttribute("data-msg-" + name) || "";
  };
  var CHECKED_IN = ["present", "late"];

  function fill(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (all, key) {
      return values[key] !== undefined ? values[key] : all;
    });
  }

  function clock(date) {
    return ("0" + date.getHours()).slice(-2) + ":" + ("0" + date.getMinutes()).slice(-2);
  }

  // ---------------------------------------------------------------- feedback

  function beep(ok) {
    try {
      var Context = window.AudioContext || window.webkitAudioContext;
      var audio = new Context();
      var tone = audio.createOscillator();
      var gain = audio.createGain();
      tone.frequency.value = ok ? 880 : 220;
      gain.gain.value = 0.2;
      tone.connect(gain);
      gain.connect(audio.destination);
      tone.start();
      tone.stop(audio.currentTime + (ok ? 0.15 : 0.4));
    } catch (error) {
      // No sound on this device: the screen still says it.
    }
    if (navigator.vibrate) {
      navigator.vibrate(ok ? 120 : [80, 60, 80]);
    }
  }

  function show(kind, message, person) {
    box.textContent = "";
    var card = document.createElement("div");
    card.className = kind === "error" ? "alert alert-danger" : "card checkin-result mb-3 " +
      (kind === "already" ? "border-info" : "border-success");
    card.setAttribute("data-outcome", kind);
    var body = card;
    if (kind !== "error") {
      body = document.createElement("div");
      body.className = "card-body";
      card.appendChild(body);
    }
    var line = document.createElement("p");
    line.className = kind === "error" ? "mb-0" : "fw-semibold mb-2 " + (kind === "already" ? "text-info-emphasis" : "text-success");
    line.textContent = (kind === "error" ? "✗ " : kind === "already" ? "ℹ " : "✓ ") + message;
    body.appendChild(line);
    if (person) {
      [person.name, person.name_native].forEach(function (name, index) {
        if (name && (index === 0 || name !== person.name)) {
          var element = document.createElement("p");
          element.className = "person-name person-name-large mb-1";
          if (index === 1 && person.locale) {
            element.setAttribute("lang", person.locale);
          }
          var isolate = document.createElement("bdi");
          isolate.textContent = name;
          element.appendChild(isolate);
          body.appendChild(element);
        }
      });
      if (person.agency) {
        var agency = document.createElement("p");
        agency.className = "mb-0 small";
        agency.textContent = person.agency;
        body.appendChild(agency);
      }
    }
    box.appendChild(card);
    beep(kind !== "error");
  }

  // ---------------------------------------------------------------- codes, checked on the device

  function fromBase64Url(value) {
    var base = value.replace(/-/g, "+").replace(/_/g, "/");
    var raw = atob(base + "===".slice((base.length + 3) % 4));
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i += 1) {
      bytes[i] = raw.charCodeAt(i);
    }
    return bytes;
  }

  function toBase64Url(bytes) {
    var raw = "";
    bytes.forEach(function (b) {
      raw += String.fromCharCode(b);
    });
    return btoa(raw).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  // The personal code in what was read, or a refusal: {code} or {error}.
  function readCode(raw, data) {
    var parts = raw.trim().split(".");
    if (parts.length === 4 && parts[0].toUpperCase() === "CT1" && /^\d+$/.test(parts[1])) {
      var code = parts[2].toUpperCase();
      if (parts[1] !== String(data.session_id)) {
        return Promise.resolve({error: fill(text("other-session"), {code: code})});
      }
      if (!(window.crypto && crypto.subtle)) {
        return Promise.resolve({code: code});
      }
      return crypto.subtle.importKey("raw", fromBase64Url(data.key), {name: "HMAC", hash: "SHA-256"}, false, ["sign"])
        .then(function (key) {
          return crypto.subtle.sign("HMAC", key, new TextEncoder().encode(parts[1] + "." + code));
        }).then(function (mac) {
          var expected = toBase64Url(new Uint8Array(mac).slice(0, 12));
          return expected === parts[3] ? {code: code} : {error: text("forged")};
        });
    }
    var last = raw.trim().replace(/\/+$/, "").split(/[\/=]/).pop();
    return Promise.resolve({code: last.replace(/[\s\-\u2010-\u2015_.]+/g, "").toUpperCase()});
  }

  function checkInHere(raw) {
    return offline.snapshot().then(function (data) {
      if (!data) {
        return show("error", text("no-data"));
      }
      return readCode(raw, data).then(function (read) {
        if (read.error) {
          return show("error", read.error);
        }
        var person = data.participants.filter(function (p) {
          return p.code && p.code.toUpperCase() === read.code;
        })[0];
        if (!person) {
          return show("error", fill(text("unknown"), {code: read.code}));
        }
        return offline.pending().then(function (items) {
          var mark = data.marks[person.id];
          var status = mark ? mark.status : null;
          var time = mark ? mark.time : "";
          items.forEach(function (item) {
            if (item.registration_id === String(person.id)) {
              status = item.status;
              time = clock(new Date(item.marked_at));
            }
          });
          if (CHECKED_IN.indexOf(status) !== -1) {
            return show("already", fill(text("already"), {time: time, status: data.labels[status]}), person);
          }
          return offline.enqueue({registration_id: person.id, status: "present", base: status}).then(function () {
            show("done", fill(text("done"), {time: clock(new Date())}) + " · " + text("waiting"), person);
            offline.flush();
          });
        });
      });
    }).then(function () {
      field.value = "";
      field.focus();
    });
  }

  form.addEventListener("submit", function (event) {
    if (offline && navigator.onLine === false && field.value.trim()) {
      event.preventDefault();
      checkInHere(field.value);
    }
  });

  // ---------------------------------------------------------------- camera

  var button = document.getElementById("checkin-camera");
  var video = document.getElementById("checkin-video");
  var stream = null;
  var lastText = "";
  var lastAt = 0;

  function detector() {
    if ("BarcodeDetector" in window) {
      return window.BarcodeDetector.getSupportedFormats().then(function (formats) {
        if (formats.indexOf("qr_code") === -1) {
          throw new Error("no qr");
        }
        var native = new window.BarcodeDetector({formats: ["qr_code"]});
        return function () {
          return native.detect(video).then(function (found) {
            return found.length ? found[0].rawValue : null;
          });
        };
      }).catch(canvasReader);
    }
    return Promise.resolve(canvasReader());
  }

  function canvasReader() {
    var canvas = document.createElement("canvas");
    var context = canvas.getContext("2d", {willReadFrequently: true});
    return function () {
      if (!video.videoWidth || typeof window.jsQR !== "function") {
        return Promise.resolve(null);
      }
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      context.drawImage(video, 0, 0, canvas.width, canvas.height);
      var image = context.getImageData(0, 0, canvas.width, canvas.height);
      var found = window.jsQR(image.data, image.width, image.height, {inversionAttempts: "dontInvert"});
      return Promise.resolve(found ? found.data : null);
    };
  }

  function scanned(value) {
    var now = Date.now();
    if (value === lastText && now - lastAt < 4000) {
      return;
    }
    lastText = value;
    lastAt = now;
    field.value = value;
    if (offline && navigator.onLine === false) {
      checkInHere(value);
    } else {
      sessionStorage.setItem("checkin-camera", "on");
      form.requestSubmit();
    }
  }

  function scan(read) {
    if (!stream) {
      return;
    }
    read().then(function (value) {
      if (value) {
        scanned(value);
      }
    }).catch(function () {}).then(function () {
      window.setTimeout(function () {
        scan(read);
      }, 200);
    });
  }

  function start() {
    navigator.mediaDevices.getUserMedia({video: {facingMode: "environment"}, audio: false}).then(function (media) {
      stream = media;
      video.srcObject = media;
      video.hidden = false;
      button.setAttribute("aria-pressed", "true");
      return video.play().then(detector).then(scan);
    }).catch(function () {
      show("error", text("no-camera"));
      stop();
    });
  }

  function stop() {
    if (stream) {
      stream.getTracks().forEach(function (track) {
        track.stop();
      });
    }
    stream = null;
    video.hidden = true;
    button.setAttribute("aria-pressed", "false");
    sessionStorage.removeItem("checkin-camera");
  }

  if (button && video && navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
    button.hidden = false;
    button.addEventListener("click", function () {
      if (stream) {
        stop();
      } else {
        start();
      }
    });
    // After a check-in posted by the camera, the page comes back with the camera on.
    if (sessionStorage.getItem("checkin-camera") === "on") {
      start();
    }
  }
  if (offline && navigator.onLine !== false) {
    offline.refresh().then(offline.flush, function () {});
  }
  // The kiosk clears a person's name after a while, for the next person.
  if (box.getAttribute("data-clear-after") && box.querySelector("[data-outcome]")) {
    window.setTimeout(function () {
      box.textContent = "";
    }, Number(box.getAttribute("data-clear-after")));
  }
  if (box.querySelector("[data-outcome]")) {
    beep(box.querySelector("[data-outcome]").getAttribute("data-outcome") !== "error");
  }
})();
