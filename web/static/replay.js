/* Replay viewer (arbitration): the version slider.
 *
 * Without JavaScript the slider is an ordinary GET form (the "Show" button) and every step in the
 * list is a link. With it, moving the slider names the version as it moves and, once released,
 * loads the page for that version (the `version` query parameter; other parameters are kept).
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

  slider.addEventListener("change", function () {
    var url = new URL(window.location.href);
    if (url.searchParams.get("version") === slider.value) return;
    url.searchParams.set("version", slider.value);
    url.hash = "state";
    window.location.assign(url.toString());
  });
})();
