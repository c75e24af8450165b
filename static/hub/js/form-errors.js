// Form error summaries (components/form_fields.html): the page moves to the summary when it is shown,
// and each link in it puts the focus in the field it names.
(function () {
  "use strict";
  function target(link) {
    var id = decodeURIComponent((link.getAttribute("href") || "").slice(1));
    return id ? document.getElementById(id) : null;
  }
  function init() {
    var summaries = document.querySelectorAll("[data-error-summary]");
    summaries.forEach(function (summary) {
      summary.querySelectorAll("a[href^='#']").forEach(function (link) {
        link.addEventListener("click", function (event) {
          var field = target(link);
          if (!field) return;
          event.preventDefault();
          field.scrollIntoView({ block: "center" });
          field.focus();
          if (history.replaceState) history.replaceState(null, "", link.getAttribute("href"));
        });
      });
    });
    if (summaries.length) {
      summaries[0].scrollIntoView({ block: "start" });
      summaries[0].focus();
    }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
