/* Consumer pages: on the application form, offer only the reasons that fit the chosen kind
 * (the server checks again; without this script every reason is listed). No reason is ever
 * picked by the script: the consumer chooses one, the select is required. */
(function () {
  "use strict";

  function filterReasons(kindSelect) {
    var target = document.getElementById(kindSelect.getAttribute("data-reason-filter"));
    if (!target) return;
    var kind = kindSelect.value;
    var options = target.querySelectorAll("option[data-kinds]");
    var selectedStillFits = false;
    for (var i = 0; i < options.length; i++) {
      var fits = (" " + options[i].getAttribute("data-kinds") + " ").indexOf(" " + kind + " ") >= 0;
      options[i].hidden = !fits;
      options[i].disabled = !fits;
      if (fits && options[i].selected) selectedStillFits = true;
    }
    // Never choose a reason for the consumer (issue 11 item 1): back to "Choose a reason".
    if (!selectedStillFits) target.value = "";
  }

  var selects = document.querySelectorAll("select[data-reason-filter]");
  for (var i = 0; i < selects.length; i++) {
    (function (el) {
      filterReasons(el);
      el.addEventListener("change", function () {
        filterReasons(el);
      });
    })(selects[i]);
  }
})();
