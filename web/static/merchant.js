// Merchant queue: a "select all" checkbox for the bulk accept form (R17). Without JavaScript
// every case can still be ticked one by one.
(function () {
  "use strict";
  function init() {
    document.querySelectorAll("input[data-select-all]").forEach(function (master) {
      var name = master.getAttribute("data-select-all");
      var form = master.form;
      if (!form) return;
      var boxes = function () {
        return Array.prototype.slice.call(form.querySelectorAll('input[type="checkbox"][name="' + name + '"]'));
      };
      master.addEventListener("change", function () {
        boxes().forEach(function (box) { box.checked = master.checked; });
      });
      form.addEventListener("change", function (event) {
        if (event.target === master) return;
        var all = boxes();
        var ticked = all.filter(function (box) { return box.checked; }).length;
        master.checked = all.length > 0 && ticked === all.length;
        master.indeterminate = ticked > 0 && ticked < all.length;
      });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
