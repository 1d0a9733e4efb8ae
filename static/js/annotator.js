/* TreatyWatch annotator: select words in a provision, press "Annotate", get the inline form.
 *
 * Progressive enhancement only: without this script every provision still has an "Annotate"
 * link to a full-page form where the quote can be pasted. Offsets are measured on the
 * provision's text content, which the server renders exactly as stored (highlights add tags,
 * never characters), so they match the TextPositionSelector the server checks. A provision
 * shown in another language (/ar/…) is annotated in that language's words: its "Annotate" link
 * carries ?language=, which the form keeps, and the server checks the offsets against that text.
 *
 * Every word this script shows comes from the page, in the page's language: the article page
 * renders them into #annotator-strings (provisions/annotator.py). There is no English fallback
 * here; a missing key is a programming error, reported in the console.
 */
(function () {
  "use strict";
  var CONTEXT = 32;
  var source = document.getElementById("annotator-strings");
  if (!source) {
    console.error("annotator: the page has no #annotator-strings; the annotator is off.");
    return;
  }
  var STRINGS = JSON.parse(source.textContent);
  var floating = null;
  var hint = null;
  var lastSelection = null;
  var openFailures = 0;  // forms that could not be opened, so that a late answer says nothing

  // The page's words for `key`, with %(name)s filled from `values`.
  function t(key, values) {
    var text = STRINGS[key];
    if (typeof text !== "string") throw new Error("annotator: no string for " + key);
    return text.replace(/%\((\w+)\)s/g, function (_match, name) {
      return values && name in values ? String(values[name]) : "";
    });
  }

  function status(key, values, isError) {
    var region = document.getElementById("annotator-status");
    if (!region) return;
    var message = document.createElement("p");
    message.className = isError ? "message message-error" : "message";
    message.textContent = t(key, values);
    region.replaceChildren(message);
  }

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

  // The selection within one provision's text, {crosses: rect} when it runs over two, or null.
  function currentSelection() {
    var sel = window.getSelection();
    if (!sel || sel.rangeCount === 0 || sel.isCollapsed) return null;
    var range = sel.getRangeAt(0);
    var container = provisionTextOf(range.startContainer);
    var end = provisionTextOf(range.endContainer);
    if (container && end && container !== end) return { crosses: range.getBoundingClientRect() };
    if (!container || container !== end) return null;
    var text = container.textContent;
    var startAt = offsetWithin(container, range.startContainer, range.startOffset);
    var endAt = offsetWithin(container, range.endContainer, range.endOffset);
    if (endAt <= startAt) return null;
    return {
      eid: container.dataset.eid,
      quote: text.slice(startAt, endAt),
      prefix: text.slice(Math.max(0, startAt - CONTEXT), startAt),
      suffix: text.slice(endAt, endAt + CONTEXT),
      start: startAt,
      end: endAt,
      rect: range.getBoundingClientRect()
    };
  }

  function hideFloating() {
    if (floating) floating.hidden = true;
    if (hint) hint.hidden = true;
  }

  // Under the start of the selection: its left edge, or its right edge in a right-to-left page
  // (Arabic). Offsets above are in the text's logical order, so they hold in either direction.
  function place(element, rect) {
    element.hidden = false;
    element.style.top = (window.scrollY + rect.bottom + 6) + "px";
    var rtl = getComputedStyle(document.documentElement).direction === "rtl";
    var x = rtl ? rect.right - element.offsetWidth : rect.left;
    var widest = document.documentElement.clientWidth - element.offsetWidth;
    element.style.left = (window.scrollX + Math.max(0, Math.min(x, widest))) + "px";
  }

  function showFloating(selection) {
    if (hint) hint.hidden = true;
    if (!floating) {
      floating = document.createElement("button");
      floating.type = "button";
      floating.className = "annotate-floating";
      floating.textContent = t("annotate");
      floating.addEventListener("mousedown", function (event) { event.preventDefault(); });
      floating.addEventListener("click", function () {
        if (lastSelection) openForm(lastSelection.eid, lastSelection);
      });
      document.body.appendChild(floating);
    }
    place(floating, selection.rect);
  }

  function showHint(rect) {
    if (floating) floating.hidden = true;
    if (!hint) {
      hint = document.createElement("p");
      hint.className = "annotate-floating annotate-hint";
      hint.setAttribute("role", "status");
      hint.textContent = t("oneProvision");
      document.body.appendChild(hint);
    }
    place(hint, rect);
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
    var citation = { citation: link.dataset.citation };
    var failuresBefore = openFailures;
    hideFloating();
    window.htmx.ajax("GET", url.pathname + url.search, { source: slot, target: slot, swap: "innerHTML" })
      .then(function () {
        var field = slot.querySelector("textarea[name=body]");
        // Not swapped when the request failed (failed() below has said so).
        if (!field || openFailures !== failuresBefore) return;
        status(selection ? "formOpenedWithQuote" : "formOpened", citation);
        field.focus();
      }, function () { /* a network failure: failed() below has said so */ });
  }

  // A request that failed never swaps anything: say so where the reader hears it, keeping
  // whatever is in the form.
  function failed(event, kind) {
    var element = event.detail && event.detail.elt;
    if (!element || !element.matches) return;
    if (element.matches(".annotate-slot")) {
      openFailures += 1;
      status("openFailed", null, true);
    } else if (element.matches(".annotate-form")) {
      if (kind === "send") status("sendFailed", null, true);
      else status("serverRefused", { status: event.detail.xhr.status }, true);
    }
  }
  document.addEventListener("htmx:sendError", function (event) { failed(event, "send"); });
  document.addEventListener("htmx:responseError", function (event) {
    failed(event, "response");
  });

  document.addEventListener("selectionchange", function () {
    var selection = currentSelection();
    if (selection && selection.crosses) {
      lastSelection = null;
      showHint(selection.crosses);
    } else if (selection) {
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
