/* Check-in: search as you type. Without JavaScript the form still works (submit = GET). With it, the
   list is fetched again from the same page as the organiser types or picks a session. */
(function () {
  "use strict";
  var form = document.querySelector("[data-checkin-search]");
  var results = document.getElementById("checkin-results");
  if (!form || !results || !window.fetch || !window.DOMParser) return;
  var timer = null;
  var controller = null;

  function refresh() {
    var params = new URLSearchParams(new FormData(form));
    var url = window.location.pathname + "?" + params.toString();
    if (controller) controller.abort();
    controller = window.AbortController ? new AbortController() : null;
    window
      .fetch(url, { credentials: "same-origin", signal: controller ? controller.signal : undefined })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.text();
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("checkin-results");
        if (!fresh) return;
        results.innerHTML = fresh.innerHTML;
        window.history.replaceState(null, "", url);
      })
      .catch(function () {});
  }

  form.addEventListener("input", function (event) {
    if (event.target.type !== "search") return;
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 200);
  });
  form.addEventListener("change", function (event) {
    if (event.target.tagName === "SELECT") refresh();
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    window.clearTimeout(timer);
    refresh();
  });
})();
