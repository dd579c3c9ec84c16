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
    notMarked: sheet.getAttribute("data-msg-not-marked")
  };

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
})();
