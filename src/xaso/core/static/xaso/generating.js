// Links marked data-generating build a document on the server while the browser waits: say
// so in the status line (#generating, its text in data-message). Without JavaScript the
// links simply download.
(function () {
  var status = document.getElementById("generating");
  if (!status) return;
  document.querySelectorAll("a[data-generating]").forEach(function (link) {
    link.addEventListener("click", function () {
      status.textContent = status.getAttribute("data-message") || "";
      setTimeout(function () { status.textContent = ""; }, 8000);
    });
  });
})();
