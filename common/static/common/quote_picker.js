/* The quote picker: the source's text beside a quote field; select a passage with the mouse
 * and it becomes the quote (whitespace folded, as the quote check folds it). The same picker
 * serves the extraction assistant, the status and deadline change forms and the citations
 * of a commitment.
 *
 * Markup: <div class="quote-picker-panel" data-text-url="/admin/sources/source/0/text/"
 * data-source-select="#id_source">, with a .quote-picker-text inside. Quote fields are
 * textareas named "quote" (or with class "quote-input"); the last one focused receives it.
 */
(function () {
  "use strict";

  function folded(text) {
    return text.replace(/\s+/g, " ").trim();
  }

  function isQuoteField(element) {
    return element && element.tagName === "TEXTAREA" &&
      (element.classList.contains("quote-input") || /(^|-)quote$/.test(element.name));
  }

  function loadText(panel, sourceId) {
    const box = panel.querySelector(".quote-picker-text");
    const title = panel.querySelector(".quote-picker-title");
    if (!sourceId) {
      box.textContent = "Choose a source to see its text here.";
      if (title) title.textContent = "";
      return;
    }
    const url = panel.dataset.textUrl.replace(/\/0\/text\/$/, "/" + encodeURIComponent(sourceId) + "/text/");
    fetch(url, {credentials: "same-origin", headers: {Accept: "application/json"}})
      .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
      .then(function (data) {
        box.textContent = data.text;
        if (title) title.textContent = data.title;
      })
      .catch(function () { box.textContent = "The source's text could not be loaded."; });
  }

  function watchSource(panel) {
    const select = panel.dataset.sourceSelect && document.querySelector(panel.dataset.sourceSelect);
    if (!select) return;
    const reload = function () { loadText(panel, select.value); };
    // The admin's autocomplete (select2) announces a choice through jQuery only.
    if (window.django && window.django.jQuery) window.django.jQuery(select).on("change", reload);
    else select.addEventListener("change", reload);
    if (select.value) reload();
  }

  function init() {
    const panels = document.querySelectorAll(".quote-picker-panel");
    if (!panels.length) return;
    let target = null;
    document.addEventListener("focusin", function (event) {
      if (isQuoteField(event.target)) target = event.target;
    });
    panels.forEach(function (panel) {
      watchSource(panel);
      panel.querySelector(".quote-picker-text").addEventListener("mouseup", function () {
        const picked = folded(window.getSelection().toString());
        const field = target || (panel.dataset.target && document.querySelector(panel.dataset.target)) ||
          Array.prototype.find.call(document.querySelectorAll("textarea"), isQuoteField);
        if (!picked || !field) return;
        field.value = picked;
        field.dispatchEvent(new Event("input", {bubbles: true}));
        field.classList.add("quote-picked");
      });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
