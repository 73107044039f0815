// Merchant policy form: an exclusion row's kind list offers only the kinds the platform allows
// for the chosen category (R1.a, R1.b, R19; each category option carries them in data-kinds).
// Without JavaScript every kind stays offered and the server names a wrong pair next to the rows.
(function () {
  "use strict";
  function sync(categorySelect) {
    var row = categorySelect.closest("tr");
    var kindSelect = row && row.querySelector('select[name="exclusion_kind"]');
    if (!kindSelect) return;
    var chosen = categorySelect.options[categorySelect.selectedIndex];
    var allowed = (chosen && chosen.getAttribute("data-kinds") || "").split(" ").filter(Boolean);
    Array.prototype.forEach.call(kindSelect.options, function (option) {
      option.disabled = option.value !== "" && allowed.length > 0 && allowed.indexOf(option.value) < 0;
    });
    var current = kindSelect.options[kindSelect.selectedIndex];
    if (current && current.disabled) kindSelect.value = allowed.length === 1 ? allowed[0] : "";
  }
  function init() {
    document.querySelectorAll('select[name="exclusion_category"]').forEach(function (select) {
      select.addEventListener("change", function () { sync(select); });
      sync(select);
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
