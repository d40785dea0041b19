// Small behaviours of SME Hub's pages, kept out of the HTML: the Content-Security-Policy
// allows no inline script, so htmx's `hx-on` and `js:` attributes (evaluated code) are not
// used. Every page works without this file; it only makes some of them quicker to use.

// A reference picker (templates/reference/_picker.html): typing asks for options with the
// text as `q`; choosing an option puts its code in the hidden field that carries the name.
document.addEventListener("htmx:configRequest", (event) => {
  const text = event.detail.elt;
  if (text instanceof HTMLElement && text.matches("[data-picker-text]")) {
    event.detail.parameters.q = text.value;
  }
});

document.addEventListener("input", (event) => {
  const text = event.target;
  if (!(text instanceof HTMLElement) || !text.matches("[data-picker-text]")) return;
  const picker = text.closest("[data-picker]");
  text.name = picker.dataset.picker; // the text field carries the name again
  picker.querySelector("[data-picker-value]").disabled = true;
  picker.querySelector("[data-picker-current]").textContent = "";
});

document.addEventListener("click", (event) => {
  const option = event.target instanceof Element && event.target.closest("[data-code]");
  const picker = option && option.closest("[data-picker]");
  if (!picker) return;
  const text = picker.querySelector("[data-picker-text]");
  const code = picker.querySelector("[data-picker-value]");
  code.value = option.dataset.code;
  code.disabled = false;
  text.removeAttribute("name");
  text.value = option.dataset.label;
  picker.querySelector("[data-picker-current]").textContent = option.dataset.label;
  picker.querySelector("[data-picker-options]").replaceChildren();
  text.focus();
});

// Forms marked `data-swap-invalid` (the what-if panel) show a 422's messages in place.
document.addEventListener("htmx:beforeSwap", (event) => {
  const form = event.detail.elt instanceof Element && event.detail.elt.closest("[data-swap-invalid]");
  if (form && event.detail.xhr.status === 422) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});

// A form's sticky action bar (.form-actions): its height, which changes as it wraps on a
// phone, goes to --sticky-bar, so the page's scroll-padding keeps a focused field above it.
const stickyBar = document.querySelector(".form-actions");
if (stickyBar && "ResizeObserver" in window) {
  new ResizeObserver(() => {
    const height = Math.ceil(stickyBar.getBoundingClientRect().height);
    document.documentElement.style.setProperty("--sticky-bar", `${height}px`);
  }).observe(stickyBar);
}

// Browsers scroll a focused field into view only when it is wholly out of sight: one half
// under the sticky bar stays there. Such a field is scrolled up until it clears the bar (or
// until its top reaches the window's, for a field taller than the room above the bar).
document.addEventListener("focusin", (event) => {
  const field = event.target;
  if (!stickyBar || !(field instanceof HTMLElement) || stickyBar.contains(field)) return;
  const box = field.getBoundingClientRect();
  const hidden = box.bottom - stickyBar.getBoundingClientRect().top;
  if (hidden > 0 && box.top > 0) window.scrollBy(0, Math.min(hidden + 8, box.top));
});
