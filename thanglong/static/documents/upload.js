// Drag and drop onto the upload form: dropped files become the file input's selection.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var zone = document.querySelector("[data-dropzone]");
    if (!zone) return;
    var input = zone.querySelector("input[type=file]");
    var list = zone.querySelector("[data-dropzone-list]");
    function show() {
      var names = [];
      for (var i = 0; i < input.files.length; i++) names.push(input.files[i].name);
      list.textContent = names.join(", ");
    }
    ["dragenter", "dragover"].forEach(function (name) {
      zone.addEventListener(name, function (event) { event.preventDefault(); zone.classList.add("dropzone--over"); });
    });
    ["dragleave", "drop"].forEach(function (name) {
      zone.addEventListener(name, function (event) { event.preventDefault(); zone.classList.remove("dropzone--over"); });
    });
    zone.addEventListener("drop", function (event) {
      if (event.dataTransfer && event.dataTransfer.files.length) {
        input.files = event.dataTransfer.files;
        show();
      }
    });
    input.addEventListener("change", show);
    zone.setAttribute("data-dropzone-ready", "");  // listeners attached: a drop from now on is taken
  });
})();
