// Attendance sheet: save each mark without reloading the page. Without this script every
// mark is an ordinary form post that comes back to the participant's row.
(function () {
  "use strict";
  var sheet = document.getElementById("attendance-sheet");
  var statusBox = document.getElementById("sheet-status");
  if (!sheet) {
    return;
  }
  var labels = JSON.parse(sheet.getAttribute("data-labels") || "{}");
  var messages = {
    saving: sheet.getAttribute("data-msg-saving"),
    saved: sheet.getAttribute("data-msg-saved"),
    error: sheet.getAttribute("data-msg-error"),
    savedRow: sheet.getAttribute("data-msg-saved-row"),
    notMarked: sheet.getAttribute("data-msg-not-marked"),
    waiting: sheet.getAttribute("data-msg-waiting"),
    queued: sheet.getAttribute("data-msg-queued"),
    pending: sheet.getAttribute("data-msg-pending"),
    superseded: sheet.getAttribute("data-msg-superseded"),
    conflict: sheet.getAttribute("data-msg-conflict")
  };
  var offline = window.AttendanceOffline;

  function announce(text, isError) {
    statusBox.textContent = text;
    statusBox.classList.toggle("sheet-status-error", !!isError);
    statusBox.classList.add("sheet-status-visible");
  }

  function showRow(row, status, note) {
    row.setAttribute("data-status", status || "");
    row.querySelectorAll("button[name=status]").forEach(function (button) {
      button.setAttribute("aria-pressed", button.value === status ? "true" : "false");
    });
    var state = row.querySelector("[data-role=state]");
    if (note !== undefined) {
      state.textContent = note;
    } else if (row.getAttribute("data-shown") !== (status || "")) {
      state.textContent = status ? labels[status] : messages.notMarked;
    }
    row.setAttribute("data-shown", status || "");
  }

  // The rows of this page follow the marks saved on the server; the counts are the whole day's
  // (the sheet may show one page of a long list).
  function showMarks(marks, counts) {
    sheet.querySelectorAll(".sheet-row").forEach(function (row) {
      var status = marks[row.getAttribute("data-registration")] || "";
      if (status !== row.getAttribute("data-status")) {
        showRow(row, status);
      }
    });
    if (counts) {
      showCounts(counts);
    }
  }

  function showCounts(counts) {
    document.querySelectorAll("[data-count]").forEach(function (element) {
      var key = element.getAttribute("data-count");
      if (key === "total" || counts[key] === undefined) {
        return;
      }
      var target = element.querySelector("strong") || element;
      target.textContent = String(counts[key]);
    });
  }

  function post(form, body) {
    var token = form.querySelector("input[name=csrf_token]").value;
    return fetch(form.action, {
      method: "POST",
      credentials: "same-origin",
      headers: {"Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": token},
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().catch(function () {
        return {message: messages.error};
      }).then(function (data) {
        if (!response.ok) {
          throw new Error(data.message || messages.error);
        }
        return data;
      });
    });
  }

  function setBusy(form, busy) {
    // Buttons stay enabled (disabling the focused one would lose the keyboard focus);
    // a second tap while saving is ignored instead.
    form.setAttribute("aria-busy", busy ? "true" : "false");
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || !(form.classList.contains("js-mark") || form.classList.contains("js-mark-all"))) {
      return;
    }
    var submitter = event.submitter;
    if (!submitter) {
      return; // let the browser post the form
    }
    event.preventDefault();
    if (form.getAttribute("aria-busy") === "true") {
      return;
    }
    setBusy(form, true);
    announce(messages.saving);
    if (form.classList.contains("js-mark")) {
      var row = form.closest(".sheet-row");
      var name = row.querySelector(".sheet-person .fw-semibold").textContent;
      var body = {
        registration_id: form.querySelector("input[name=registration_id]").value,
        status: submitter.value
      };
      if (offline) {
        // Kept on the device first, then sent: nothing is lost if the network is gone.
        body.base = row.getAttribute("data-status") || null;
        offline.enqueue(body).then(function (item) {
          showPending(row, item.status);
          announce(fill(messages.queued, {name: name, status: labels[item.status]}));
          setBusy(form, false);
          return offline.flush();
        }).catch(function () {
          announce(messages.error, true);
          setBusy(form, false);
        });
        return;
      }
      post(form, body).then(function (data) {
        showRow(row, data.status, data.label + " · " + data.marked_at);
        showMarks(data.marks, data.counts);
        announce(messages.savedRow.replace("%(name)s", name).replace("%(status)s", data.label));
      }).catch(function (error) {
        announce(error.message || messages.error, true);
      }).then(function () {
        setBusy(form, false);
      });
    } else {
      post(form, {scope: submitter.value}).then(function (data) {
        showMarks(data.marks, data.counts);
        announce(data.message);
      }).catch(function (error) {
        announce(error.message || messages.error, true);
      }).then(function () {
        setBusy(form, false);
      });
    }
  });

  sheet.querySelectorAll(".sheet-row").forEach(function (row) {
    row.setAttribute("data-shown", row.getAttribute("data-status"));
  });

  // ---------------------------------------------------------------- without a network

  function fill(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (all, key) {
      return values[key] !== undefined ? values[key] : all;
    });
  }

  function rowOf(registrationId) {
    return document.getElementById("r-" + registrationId);
  }

  function showPending(row, status) {
    showRow(row, status, labels[status] + " · " + messages.waiting);
    row.classList.add("sheet-row-pending");
  }

  function nameOf(row) {
    return row.querySelector(".sheet-person .fw-semibold").textContent;
  }

  // The day's counts from the kept data and the marks still waiting (when the server cannot say).
  function localCounts(data, items) {
    var marks = {};
    Object.keys(data.marks).forEach(function (id) {
      marks[id] = data.marks[id].status;
    });
    items.forEach(function (item) {
      marks[item.registration_id] = item.status;
    });
    var counts = {present: 0, late: 0, excused: 0, absent: 0, none: 0};
    data.participants.forEach(function (person) {
      counts[marks[person.id] || "none"] += 1;
    });
    return counts;
  }

  function showKept(data) {
    var marks = {};
    Object.keys(data.marks).forEach(function (id) {
      marks[id] = data.marks[id].status;
    });
    showMarks(marks);
    Object.keys(data.marks).forEach(function (id) {
      var row = rowOf(id);
      if (row && data.marks[id].time) {
        showRow(row, data.marks[id].status, labels[data.marks[id].status] + " · " + data.marks[id].time);
      }
    });
    showConflicts(data.conflicts || []);
  }

  function showWaiting(items) {
    sheet.querySelectorAll(".sheet-row-pending").forEach(function (row) {
      row.classList.remove("sheet-row-pending");
    });
    items.forEach(function (item) {
      var row = rowOf(item.registration_id);
      if (row) {
        showPending(row, item.status);
      }
    });
    var box = document.getElementById("sheet-pending");
    box.textContent = items.length ? fill(messages.pending, {num: items.length}) : "";
    box.hidden = !items.length;
  }

  function showConflicts(conflicts) {
    var section = document.getElementById("sheet-conflicts");
    var list = section.querySelector("ul");
    list.textContent = "";
    conflicts.forEach(function (conflict) {
      var item = document.createElement("li");
      item.textContent = fill(messages.conflict, conflict);
      list.appendChild(item);
    });
    section.hidden = !conflicts.length;
  }

  function showConnection() {
    document.getElementById("sheet-offline").hidden = navigator.onLine !== false;
  }

  function redraw(data) {
    return offline.pending().then(function (items) {
      if (data) {
        showKept(data);
        showCounts(localCounts(data, items));
      }
      showWaiting(items);
    });
  }

  if (offline) {
    offline.on("change", function () {
      offline.snapshot().then(redraw);
    });
    offline.on("synced", function (sent) {
      var response = sent.response;
      showMarks(response.marks, response.counts);
      showConflicts(response.conflicts);
      var last = null;
      response.results.forEach(function (result) {
        var row = rowOf(result.registration_id);
        if (row && result.status) {
          showRow(row, result.status, result.label + (result.time ? " · " + result.time : ""));
          row.classList.remove("sheet-row-pending");
        }
        if (row) {
          last = {row: row, result: result};
        }
      });
      offline.pending().then(function (items) {
        showWaiting(items);
        if (!items.length && last) {
          var text = last.result.outcome === "superseded"
            ? fill(messages.superseded, {name: nameOf(last.row), status: last.result.label})
            : fill(messages.savedRow, {name: nameOf(last.row), status: last.result.label});
          announce(text);
        }
      });
    });
    offline.on("refused", function (message) {
      announce(message || messages.error, true);
      offline.snapshot().then(redraw);
    });
    window.addEventListener("online", showConnection);
    window.addEventListener("offline", showConnection);
    showConnection();
    offline.snapshot().then(function (data) {
      return redraw(navigator.onLine === false ? data : null);
    }).then(function () {
      return navigator.onLine === false ? null : offline.refresh().then(redraw, function () {
        return offline.snapshot().then(redraw);
      });
    }).then(function () {
      return offline.flush();
    }).then(function () {
      sheet.setAttribute("data-offline-ready", "true");
    });
  }
})();
