// On a wide screen the filters sit beside the results: open them and hide "Show filters".
// On a phone they stay folded (results first) until the parent opens them. Without this
// script the <details> element still folds and opens on every screen.
const filters = document.getElementById("filters");
const wide = window.matchMedia("(min-width: 40.0625em)");

function place() {
  if (!filters) {
    return;
  }
  if (wide.matches) {
    filters.open = true;
    filters.classList.add("app-filters--beside-results");
  } else if (filters.classList.contains("app-filters--beside-results")) {
    filters.classList.remove("app-filters--beside-results");
    filters.open = false;
  }
}

place();
wide.addEventListener("change", place);
