// Follow background jobs listed on a page ([data-job-id]) and reload when one ends.
(function () {
  var items = document.querySelectorAll("[data-job-id]");
  Array.prototype.forEach.call(items, function (item) {
    var status = item.getAttribute("data-job-status");
    if (status === "finished" || status === "failed") { return; }
    var bar = item.querySelector("progress");
    function poll() {
      fetch(item.getAttribute("data-job-url"), { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (job) {
          if (!job) { return; }
          if (bar) { bar.value = job.progress; bar.textContent = job.progress + " %"; }
          if (job.status === "finished" || job.status === "failed") { window.location.reload(); }
          else { window.setTimeout(poll, 1000); }
        })
        .catch(function () { window.setTimeout(poll, 3000); });
    }
    poll();
  });
})();
