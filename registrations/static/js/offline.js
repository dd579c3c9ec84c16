// Attendance without a network: the day's data and the marks not yet sent live in IndexedDB.
//
// Every mark gets an id drawn here (a UUID) and the time of the tap. It is written to the queue
// first, then sent; the server counts each id once, so sending again after a lost answer is
// harmless. The queue is sent in order when the page opens, when the connection returns, after
// each mark and every 20 seconds. Nothing leaves the queue before the server has answered.
(function () {
  "use strict";
  var config = document.getElementById("offline-config");
  if (!config || !window.indexedDB) {
    return;
  }
  var DB_NAME = "attendance-offline";
  var listeners = {synced: [], change: [], refused: []};
  var opened = null;
  var flushing = null;

  function emit(name, value) {
    listeners[name].forEach(function (listener) {
      listener(value);
    });
  }

  function open() {
    if (!opened) {
      opened = new Promise(function (resolve, reject) {
        var request = indexedDB.open(DB_NAME, 1);
        request.onupgradeneeded = function () {
          var db = request.result;
          db.createObjectStore("queue", {keyPath: "seq", autoIncrement: true});
          db.createObjectStore("sheets", {keyPath: "key"});
        };
        request.onsuccess = function () {
          resolve(request.result);
        };
        request.onerror = function () {
          reject(request.error);
        };
      });
    }
    return opened;
  }

  // One IndexedDB transaction: work(store) may return a request whose result is the answer.
  function inStore(name, mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(name, mode);
        var request = work(tx.objectStore(name));
        tx.oncomplete = function () {
          resolve(request ? request.result : undefined);
        };
        tx.onerror = tx.onabort = function () {
          reject(tx.error);
        };
      });
    });
  }

  function uuid() {
    if (window.crypto && crypto.randomUUID) {
      return crypto.randomUUID();
    }
    var bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) {
      return (b + 0x100).toString(16).slice(1);
    }).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  function sheetKey(session, day) {
    return session + "/" + day;
  }

  var here = {
    session: config.getAttribute("data-session"),
    day: config.getAttribute("data-day"),
    syncUrl: config.getAttribute("data-sync-url"),
    dataUrl: config.getAttribute("data-data-url"),
    token: config.getAttribute("data-csrf")
  };

  function queued() {
    return inStore("queue", "readonly", function (store) {
      return store.getAll();
    });
  }

  function pending() {
    return queued().then(function (items) {
      return items.filter(function (item) {
        return item.session === here.session && item.day === here.day;
      });
    });
  }

  function snapshot() {
    return inStore("sheets", "readonly", function (store) {
      return store.get(sheetKey(here.session, here.day));
    }).then(function (found) {
      return found ? found.data : null;
    });
  }

  function keepSnapshot(data) {
    return inStore("sheets", "readwrite", function (store) {
      store.put({key: sheetKey(data.session_id, data.day_id), data: data, kept: new Date().toISOString()});
    });
  }

  // After a sync: the snapshot follows the server's marks (so a reload offline shows them).
  function updateSnapshot(session, day, response) {
    return inStore("sheets", "readwrite", function (store) {
      var request = store.get(sheetKey(session, day));
      request.onsuccess = function () {
        var found = request.result;
        if (!found) {
          return;
        }
        var marks = {};
        Object.keys(response.marks).forEach(function (id) {
          var before = found.data.marks[id];
          marks[id] = {status: response.marks[id], time: before && before.status === response.marks[id] ? before.time : ""};
        });
        response.results.forEach(function (result) {
          if (result.status && marks[result.registration_id]) {
            marks[result.registration_id].time = result.time;
          }
        });
        found.data.marks = marks;
        found.data.conflicts = response.conflicts;
        store.put(found);
      };
    });
  }

  function enqueue(mark) {
    var item = {
      id: uuid(), session: here.session, day: here.day, syncUrl: here.syncUrl, dataUrl: here.dataUrl,
      registration_id: String(mark.registration_id), status: mark.status, base: mark.base || null,
      marked_at: new Date().toISOString()
    };
    return inStore("queue", "readwrite", function (store) {
      store.add(item);
    }).then(function () {
      emit("change");
      return item;
    });
  }

  function forget(items) {
    return inStore("queue", "readwrite", function (store) {
      items.forEach(function (item) {
        store.delete(item.seq);
      });
    }).then(function () {
      emit("change");
    });
  }

  // The day's data from the server: kept in IndexedDB; gives a fresh CSRF token.
  function refresh(dataUrl) {
    // No redirect is followed: a login page is not data (and loading it would start a new session).
    return fetch(dataUrl || here.dataUrl,
                 {credentials: "same-origin", headers: {"Accept": "application/json"}, redirect: "manual"})
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (!response.ok || type.indexOf("json") === -1) {
          throw new Error("not available");
        }
        return response.json();
      }).then(function (data) {
        if (String(data.session_id) === here.session && String(data.day_id) === here.day) {
          here.token = data.csrf_token;
        }
        return keepSnapshot(data).then(function () {
          return data;
        });
      });
  }

  function send(url, token, items) {
    var body = {marks: items.map(function (item) {
      return {id: item.id, registration_id: item.registration_id, status: item.status, base: item.base,
              marked_at: item.marked_at};
    })};
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": token},
      body: JSON.stringify(body), redirect: "manual"
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (type.indexOf("json") === -1) {
        return {status: response.status, data: null};
      }
      return response.json().then(function (data) {
        return {status: response.status, data: data};
      });
    });
  }

  // Only the server's JSON answer counts (a login page after a redirect does not).
  function accepted(answer) {
    return answer.status === 200 && answer.data !== null && answer.data.ok === true;
  }

  // Send one day's items, in order, in batches; refresh the token once if the server refuses it.
  function sendGroup(items) {
    var first = items[0];
    var batch = items.slice(0, 100);
    var token = first.session === here.session && first.day === here.day ? here.token : null;
    var attempt = token ? Promise.resolve(token) : refresh(first.dataUrl).then(function (data) {
      return data.csrf_token;
    });
    return attempt.then(function (token) {
      return send(first.syncUrl, token, batch);
    }).then(function (answer) {
      if (accepted(answer) || (answer.data && answer.data.error === "refused")) {
        return answer;
      }
      return refresh(first.dataUrl).then(function (data) {
        return send(first.syncUrl, data.csrf_token, batch);
      });
    }).then(function (answer) {
      if (accepted(answer)) {
        return updateSnapshot(first.session, first.day, answer.data).then(function () {
          return forget(batch);
        }).then(function () {
          if (first.session === here.session && first.day === here.day) {
            emit("synced", {response: answer.data, items: batch});
          }
          return items.length > batch.length ? sendGroup(items.slice(batch.length)) : null;
        });
      }
      if (answer.data && answer.data.error === "refused") {
        // The server will never take these (the day is gone or has not started): say so, drop them.
        return forget(batch).then(function () {
          emit("refused", answer.data.message);
        });
      }
      throw new Error("not sent");
    });
  }

  function flushNow() {
    return queued().then(function (items) {
      if (!items.length || navigator.onLine === false) {
        return null;
      }
      items.sort(function (a, b) {
        return a.seq - b.seq;
      });
      var groups = {};
      var order = [];
      items.forEach(function (item) {
        var key = sheetKey(item.session, item.day);
        if (!groups[key]) {
          groups[key] = [];
          order.push(key);
        }
        groups[key].push(item);
      });
      return order.reduce(function (chain, key) {
        return chain.then(function () {
          return sendGroup(groups[key]);
        });
      }, Promise.resolve());
    });
  }

  function flush() {
    if (!flushing) {
      flushing = flushNow().catch(function () {
        return null;
      }).then(function (value) {
        flushing = null;
        return value;
      });
    }
    return flushing;
  }

  // Keep this page and the files it uses for the next visit without a network.
  function keepPage() {
    if (!window.caches) {
      return;
    }
    var urls = [];
    document.querySelectorAll("link[rel=stylesheet], link[rel=icon], script[src]").forEach(function (element) {
      urls.push(element.href || element.src);
    });
    // The Khmer and Lao fonts, which a page fetches only once it shows those scripts.
    (config.getAttribute("data-keep") || "").split(" ").forEach(function (path) {
      if (path) {
        urls.push(new URL(path, location.href).href);
      }
    });
    caches.open("attendance-static-v1").then(function (cache) {
      urls.forEach(function (url) {
        cache.match(url).then(function (found) {
          if (!found) {
            cache.add(url).catch(function () {});
          }
        });
      });
    });
    if (!(navigator.serviceWorker && navigator.serviceWorker.controller)) {
      caches.open("attendance-pages-v1").then(function (cache) {
        cache.add(location.href).catch(function () {});
      });
    }
  }

  window.AttendanceOffline = {
    enqueue: enqueue, flush: flush, pending: pending, snapshot: snapshot, refresh: refresh,
    on: function (name, listener) {
      listeners[name].push(listener);
    }
  };

  if (navigator.serviceWorker && config.getAttribute("data-sw")) {
    navigator.serviceWorker.register(config.getAttribute("data-sw"), {scope: config.getAttribute("data-scope")})
      .catch(function () {});
  }
  window.addEventListener("online", function () {
    flush();
  });
  window.setInterval(flush, 20000);
  if (navigator.onLine !== false) {
    keepPage();
  }
})();
