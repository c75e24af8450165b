// Commune inputs: suggestions from the autocomplete endpoint while typing (« Nom (département) »).
// Without this script the input still accepts a name or an INSEE code, resolved by the server.
(function () {
  "use strict";
  function wire(list) {
    if (list.dataset.communeWired) return;
    list.dataset.communeWired = "1";
    var input = document.querySelector('input[list="' + list.id + '"]');
    var source = list.getAttribute("data-commune-source");
    if (!input || !source) return;
    var timer = null;
    var last = "";
    input.addEventListener("input", function () {
      var query = input.value.trim();
      if (query.length < 2 || query === last) return;
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        last = query;
        fetch(source + "?q=" + encodeURIComponent(query), { headers: { Accept: "application/json" } })
          .then(function (response) { return response.ok ? response.json() : { results: [] }; })
          .then(function (data) {
            list.textContent = "";
            (data.results || []).forEach(function (item) {
              var option = document.createElement("option");
              option.value = item.value;
              option.label = item.value + " — " + item.insee;
              list.appendChild(option);
            });
          })
          .catch(function () {});
      }, 150);
    });
  }
  function init() {
    document.querySelectorAll("datalist[data-commune-source]").forEach(wire);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
