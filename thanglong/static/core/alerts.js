// Console alert toasts: one EventSource on /console/alerts/stream; the server ends each stream after
// about 25 s and EventSource reconnects with Last-Event-ID, so no alert is lost or shown twice.
(function () {
  "use strict";
  var box = document.getElementById("console-alerts");
  if (!box || !window.EventSource) return;
  var seen = {};
  var url = box.dataset.stream;
  // The last alert shown in this tab: the next page resumes after it (no repeat, nothing lost while
  // navigating); a fresh tab lets the server start a few seconds back.
  var KEY = "thanglong.console-alerts.last";
  var last = null;
  try { last = window.sessionStorage.getItem(KEY); } catch (err) { /* storage disabled */ }
  if (last && /^[0-9]+$/.test(last)) url += "?after=" + last;

  function text(tag, className, value) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    node.textContent = value;
    return node;
  }

  function show(alert) {
    if (seen[alert.id]) return;
    seen[alert.id] = true;
    try { window.sessionStorage.setItem(KEY, String(alert.id)); } catch (err) { /* storage disabled */ }
    var toast = document.createElement("div");
    toast.className = "console-alert console-alert--" + alert.severity;
    toast.setAttribute("role", "alert");
    toast.dataset.alertId = alert.id;
    var payload = alert.payload || {};
    if (payload.snapshot_url) {
      var img = document.createElement("img");
      img.src = payload.snapshot_url;
      img.alt = "";
      img.className = "console-alert__image";
      img.addEventListener("error", function () { img.remove(); });  // no right to see images: no picture
      toast.appendChild(img);
    }
    var body = document.createElement("div");
    body.className = "console-alert__body";
    body.appendChild(text("strong", "console-alert__title", alert.title));
    if (alert.body) body.appendChild(text("p", "console-alert__text", alert.body));
    var when = new Date(alert.created_at);
    body.appendChild(text("p", "console-alert__time", when.toLocaleString()));
    if (alert.url) {
      var link = text("a", "console-alert__open", box.dataset.open);
      link.href = alert.url;
      body.appendChild(link);
    }
    toast.appendChild(body);
    var close = text("button", "console-alert__close", "×");
    close.type = "button";
    close.setAttribute("aria-label", box.dataset.close);
    close.addEventListener("click", function () { toast.remove(); });
    toast.appendChild(close);
    box.prepend(toast);
    while (box.children.length > 5) box.lastElementChild.remove();
  }

  var source = new EventSource(url);
  source.addEventListener("alert", function (event) {
    try { show(JSON.parse(event.data)); } catch (err) { /* a malformed message is skipped */ }
  });
})();
