/* Replay viewer (arbitration): the version slider.
 *
 * Without JavaScript the slider is an ordinary GET form (the "Show" button) and every step in the
 * list is a link. With it, moving the slider names the version as it moves and, once released,
 * loads the page for that version (the `version` query parameter; other parameters are kept).
 * Arrow keys do not reload on every press (issue 11 item 11): the page loads once the keys rest,
 * and the slider has the focus again on the new page.
 */
(function () {
  "use strict";

  var slider = document.querySelector("[data-replay-slider]");
  if (!slider) return;
  var output = document.querySelector("[data-replay-output]");
  var template = document.querySelector("[data-replay-texts]");
  var pattern = template ? template.innerHTML.trim() : "";

  function label(value) {
    return pattern ? pattern.replace("__V__", String(value)) : String(value);
  }

  slider.addEventListener("input", function () {
    var text = label(slider.value);
    if (output) output.textContent = text;
    slider.setAttribute("aria-valuetext", text);
  });

  var FOCUS_KEY = "replay-slider-focus";
  var timer = null;
  var pointer = false;

  function load() {
    timer = null;
    var url = new URL(window.location.href);
    if (url.searchParams.get("version") === slider.value) return;
    url.searchParams.set("version", slider.value);
    url.hash = "state";
    try {
      window.sessionStorage.setItem(FOCUS_KEY, "1");
    } catch (e) {}
    window.location.assign(url.toString());
  }

  slider.addEventListener("pointerdown", function () {
    pointer = true;
  });
  slider.addEventListener("change", function () {
    if (timer) window.clearTimeout(timer);
    if (pointer) {
      pointer = false;
      load();
    } else {
      timer = window.setTimeout(load, 900); // keyboard: wait until the keys rest
    }
  });

  try {
    if (window.sessionStorage.getItem(FOCUS_KEY)) {
      window.sessionStorage.removeItem(FOCUS_KEY);
      slider.focus();
    }
  } catch (e) {}
})();
