// Certificates of a session: while the job worker draws the PDFs, poll the progress and show the
// ZIP link once every certificate is ready.
(function () {
  var box = document.getElementById("pdf-progress");
  if (!box || !box.querySelector('[data-progress="bar"]')) {
    return;
  }
  var bar = box.querySelector('[data-progress="bar"]');
  var text = box.querySelector('[data-progress="text"]');
  var link = box.querySelector('[data-progress="link"]');
  var prepare = box.querySelector('[data-progress="prepare"]');
  function poll() {
    fetch(box.dataset.statusUrl, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) { return response.json(); })
      .then(function (status) {
        bar.max = status.total;
        bar.value = status.done;
        if (status.finished) {
          text.textContent = box.dataset.doneText;
          bar.hidden = true;
          if (prepare) { prepare.hidden = true; }
          link.classList.remove("d-none");
          return;
        }
        text.textContent = status.done + " / " + status.total + " (" + status.percent + " %)";
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 500);
}());
