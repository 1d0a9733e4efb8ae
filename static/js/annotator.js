/* TreatyWatch annotator: select words in a provision, press "Annotate", get the inline form.
 *
 * Progressive enhancement only: without this script every provision still has an "Annotate"
 * link to a full-page form where the quote can be pasted. Offsets are measured on the
 * provision's text content, which the server renders exactly as stored (highlights add tags,
 * never characters), so they match the TextPositionSelector the server checks.
 */
(function () {
  "use strict";
  var CONTEXT = 32;
  // The button's words come from the page, in the page's language (article.html's script tag).
  var script = document.currentScript;
  var LABEL = (script && script.dataset.annotateLabel) || "Annotate";
  var floating = null;
  var lastSelection = null;

  function provisionTextOf(node) {
    var el = node && (node.nodeType === 1 ? node : node.parentElement);
    // Only provisions open to new notes carry data-eid (the server's rule, quote_refusal).
    return el ? el.closest(".provision-text[data-eid]") : null;
  }

  function offsetWithin(container, node, offset) {
    var range = document.createRange();
    range.selectNodeContents(container);
    range.setEnd(node, offset);
    return range.toString().length;
  }

  function currentSelection() {
    var sel = window.getSelection();
    if (!sel || sel.rangeCount === 0 || sel.isCollapsed) return null;
    var range = sel.getRangeAt(0);
    var container = provisionTextOf(range.startContainer);
    if (!container || container !== provisionTextOf(range.endContainer)) return null;
    var text = container.textContent;
    var start = offsetWithin(container, range.startContainer, range.startOffset);
    var end = offsetWithin(container, range.endContainer, range.endOffset);
    if (end <= start) return null;
    return {
      eid: container.dataset.eid,
      quote: text.slice(start, end),
      prefix: text.slice(Math.max(0, start - CONTEXT), start),
      suffix: text.slice(end, end + CONTEXT),
      start: start,
      end: end,
      rect: range.getBoundingClientRect()
    };
  }

  function hideFloating() {
    if (floating) floating.hidden = true;
  }

  function showFloating(selection) {
    if (!floating) {
      floating = document.createElement("button");
      floating.type = "button";
      floating.className = "annotate-floating";
      floating.textContent = LABEL;
      floating.addEventListener("mousedown", function (event) { event.preventDefault(); });
      floating.addEventListener("click", function () {
        if (lastSelection) openForm(lastSelection.eid, lastSelection);
      });
      document.body.appendChild(floating);
    }
    floating.hidden = false;
    floating.style.top = (window.scrollY + selection.rect.bottom + 6) + "px";
    // Under the start of the selection: its left edge, or its right edge in a right-to-left page
    // (Arabic). Offsets above are in the text's logical order, so they hold in either direction.
    var rtl = getComputedStyle(document.documentElement).direction === "rtl";
    var x = rtl ? selection.rect.right - floating.offsetWidth : selection.rect.left;
    floating.style.left = (window.scrollX + Math.max(0, x)) + "px";
  }

  function openForm(eid, selection) {
    var link = document.querySelector('.annotate-link[data-eid="' + eid + '"]');
    if (!link || !window.htmx) return;
    var url = new URL(link.href, window.location.href);
    if (selection) {
      ["quote", "prefix", "suffix", "start", "end"].forEach(function (key) {
        url.searchParams.set(key, selection[key]);
      });
    }
    var slot = document.getElementById("annotate-slot-" + eid);
    window.htmx.ajax("GET", url.pathname + url.search, { target: slot, swap: "innerHTML" })
      .then(function () {
        var field = slot.querySelector("textarea[name=body]");
        if (field) field.focus();
      });
    hideFloating();
  }

  document.addEventListener("selectionchange", function () {
    var selection = currentSelection();
    if (selection) {
      lastSelection = selection;
      showFloating(selection);
    } else {
      hideFloating();
    }
  });

  document.addEventListener("click", function (event) {
    var link = event.target.closest(".annotate-link");
    if (!link || !window.htmx) return;
    event.preventDefault();
    var eid = link.dataset.eid;
    var usable = lastSelection && lastSelection.eid === eid ? lastSelection : null;
    openForm(eid, usable);
  });

  document.addEventListener("click", function (event) {
    var cancel = event.target.closest("[data-annotate-cancel]");
    if (!cancel) return;
    event.preventDefault();
    var slot = cancel.closest(".annotate-slot");
    if (slot) slot.innerHTML = "";
  });
})();
