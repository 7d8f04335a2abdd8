// Citizen login: the business fields (tax code, name) show only when "business" is ticked.
// Without JavaScript they are always shown.
(function () {
  var box = document.getElementById("id_business"), group = document.getElementById("business-fields");
  if (!box || !group) return;
  function sync() { group.hidden = !box.checked; }
  box.addEventListener("change", sync);
  sync();
})();
