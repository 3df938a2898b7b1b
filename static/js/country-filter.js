// Adds a filter box above the country select; the select works on its own without this.
(function () {
  "use strict";
  document.querySelectorAll("select.country-select").forEach(function (select) {
    var input = document.createElement("input");
    input.type = "search";
    input.className = "country-filter";
    input.setAttribute("aria-label", select.labels.length ? select.labels[0].textContent + " (filter)" : "filter");
    input.setAttribute("aria-controls", select.id);
    select.parentNode.insertBefore(input, select);
    var options = Array.prototype.slice.call(select.options);
    input.addEventListener("input", function () {
      var wanted = input.value.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
      options.forEach(function (option) {
        var text = option.text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
        option.hidden = wanted !== "" && option.value !== "" && text.indexOf(wanted) === -1 &&
          option.value.toLowerCase() !== wanted;
      });
    });
  });
})();
