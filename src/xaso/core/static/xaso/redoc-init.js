// Starts Redoc on the API reference page (drf_spectacular/redoc.html): the schema's address
// and Redoc's settings come from the container's data attributes, so the page needs no
// inline script.
(function () {
  var container = document.getElementById("redoc-container");
  if (!container || !window.Redoc) return;
  var settings = {};
  try { settings = JSON.parse(container.getAttribute("data-settings") || "{}"); } catch (e) { settings = {}; }
  window.Redoc.init(container.getAttribute("data-schema-url"), settings, container);
})();
