/* "Suggest commitments": Discard hides a candidate. A file, not an onclick attribute: the
 * site's Content-Security-Policy runs no inline script. */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    const button = event.target.closest("button.discard");
    if (!button) return;
    const candidate = button.closest("section");
    if (candidate) candidate.hidden = true;
  });
})();
