// The territory index's search as you type: the same results the form's GET gives, fetched as an HTML fragment
// (?partiel=1) once typing pauses, put in place of the current ones, and their count said in a live region.
// Without this script the form works as it is.
(function () {
  "use strict";
  var DELAY = 250;

  function wire(form) {
    var input = form.querySelector('input[name="q"]');
    var results = document.getElementById(form.getAttribute("data-results"));
    var status = document.getElementById(form.getAttribute("data-status"));
    if (!input || !results || !status) return;
    var timer = null;
    var pending = null;
    var last = input.value.trim();

    function show(query) {
      if (pending) pending.abort();
      pending = window.AbortController ? new AbortController() : null;
      var url = form.action + "?q=" + encodeURIComponent(query) + "&partiel=1";
      fetch(url, { headers: { Accept: "text/html" }, signal: pending ? pending.signal : undefined })
        .then(function (response) {
          if (!response.ok) throw new Error(String(response.status));
          return response.text();
        })
        .then(function (fragment) {
          // Same-origin HTML rendered (and escaped) by the server's own template.
          results.innerHTML = fragment;
          var summary = results.querySelector("[data-territory-summary]");
          status.textContent = summary ? summary.textContent : "";
          if (window.history && window.history.replaceState) {
            var address = query ? form.action + "?q=" + encodeURIComponent(query) : form.action;
            window.history.replaceState(null, "", address);
          }
        })
        .catch(function () {});  // offline or aborted: the form still submits normally
    }

    input.addEventListener("input", function () {
      var query = input.value.trim();
      if (query === last) return;
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        last = query;
        if (query.length === 1) return;  // one letter matches too much to be useful
        show(query);
      }, DELAY);
    });
  }

  function init() {
    document.querySelectorAll("form[data-territory-search]").forEach(wire);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
