// Registrations list: a "select all" box ticks every registration shown.
document.addEventListener("change", function (event) {
  if (event.target.id !== "select-all") {
    return;
  }
  document.querySelectorAll('input[name="ids"]').forEach(function (box) {
    box.checked = event.target.checked;
  });
});
