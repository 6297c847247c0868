// Small enhancements of the server-rendered pages; every page works without them.
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var toggle = event.target.closest("[data-menu-toggle]");
    if (toggle) {
      var menu = document.getElementById(toggle.getAttribute("aria-controls"));
      var open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", String(open));
      menu.classList.toggle("is-open", open);
      return;
    }

    var copy = event.target.closest("[data-copy]");
    if (copy) {
      var source = document.querySelector(copy.getAttribute("data-copy"));
      var text = source.textContent.trim();
      var done = function () { copy.textContent = copy.getAttribute("data-copied") || copy.textContent; };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(done);
      } else {
        var range = document.createRange();
        range.selectNodeContents(source);
        var selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
        if (document.execCommand("copy")) { done(); }
      }
    }
  });

  document.addEventListener("submit", function (event) {
    var confirmer = event.submitter && event.submitter.closest("[data-confirm]") || event.target.closest("form[data-confirm]");
    if (confirmer && !window.confirm(confirmer.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });

  document.addEventListener("change", function (event) {
    if (event.target.matches("[data-submit-on-change]")) {
      event.target.form.requestSubmit();
    }
  });
})();

// Store counter form: scan or search products into lines, keyboard first, remember prices in this tab.
(function () {
  "use strict";

  var PRICES_KEY = "oms.store.prices";

  function loadPrices() {
    try { return JSON.parse(window.sessionStorage.getItem(PRICES_KEY) || "{}"); } catch (error) { return {}; }
  }

  function savePrice(prices, sku, value) {
    if (!sku || !value) { return; }
    prices[sku] = value;
    try { window.sessionStorage.setItem(PRICES_KEY, JSON.stringify(prices)); } catch (error) { /* private mode */ }
  }

  function cents(text) {
    var value = parseFloat(String(text || "").replace(/[¥￥,\s]/g, ""));
    return isFinite(value) ? Math.round(value * 100) : 0;
  }

  function money(amount) {
    return (amount / 100).toFixed(2);
  }

  function setup(form) {
    var search = form.querySelector("[data-product-search]");
    var results = document.getElementById("product-results");
    var body = form.querySelector("[data-lines]");
    var template = document.getElementById("store-line-template");
    var totalOutput = form.querySelector("[data-order-total]");
    var searchUrl = form.getAttribute("data-search-url");
    var prices = loadPrices();

    Array.prototype.forEach.call(body.querySelectorAll("[data-blank-line]"), function (row) { row.remove(); });

    function recalc() {
      var total = 0;
      Array.prototype.forEach.call(body.querySelectorAll("[data-line]"), function (row) {
        var quantity = parseInt(row.querySelector("[name=line_quantity]").value, 10) || 0;
        var line = quantity * cents(row.querySelector("[name=line_unit_price]").value);
        row.querySelector("[data-line-total]").textContent = money(line);
        total += line;
      });
      totalOutput.textContent = money(total);
    }

    function rowFor(sku) {
      return Array.prototype.find.call(body.querySelectorAll("[data-line]"), function (row) {
        return row.getAttribute("data-sku") === sku;
      });
    }

    function addLine(sku, title) {
      var row = rowFor(sku);
      if (row) {
        var quantity = row.querySelector("[name=line_quantity]");
        quantity.value = (parseInt(quantity.value, 10) || 0) + 1;
      } else {
        row = template.content.firstElementChild.cloneNode(true);
        row.setAttribute("data-sku", sku);
        row.querySelector("[name=line_sku]").value = sku;
        row.querySelector(".line-title").textContent = title;
        row.querySelector("[name=line_unit_price]").value = prices[sku] || "";
        body.appendChild(row);
      }
      recalc();
      search.value = "";
      results.innerHTML = "";
      var price = row.querySelector("[name=line_unit_price]");
      (price.value ? search : price).focus();
    }

    function lookUp(code) {
      var url = searchUrl + "?q=" + encodeURIComponent(code);
      return fetch(url, { credentials: "same-origin", headers: { "HX-Request": "true" } })
        .then(function (response) { return response.text(); })
        .then(function (html) {
          results.innerHTML = html;
          var exact = results.querySelector("[data-exact]");
          if (exact) {
            addLine(exact.getAttribute("data-sku"), exact.getAttribute("data-title"));
          } else {
            var first = results.querySelector("[data-add-line]");
            if (first && results.querySelectorAll("[data-add-line]").length === 1) { first.focus(); }
          }
        });
    }

    search.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();
        var code = search.value.trim();
        if (code) { lookUp(code); }
      } else if (event.key === "ArrowDown") {
        var first = results.querySelector("[data-add-line]");
        if (first) { event.preventDefault(); first.focus(); }
      }
    });

    results.addEventListener("keydown", function (event) {
      var buttons = Array.prototype.slice.call(results.querySelectorAll("[data-add-line]"));
      var index = buttons.indexOf(document.activeElement);
      if (index < 0) { return; }
      if (event.key === "ArrowDown" && index < buttons.length - 1) { event.preventDefault(); buttons[index + 1].focus(); }
      if (event.key === "ArrowUp") { event.preventDefault(); (index ? buttons[index - 1] : search).focus(); }
      if (event.key === "Escape") { search.focus(); }
    });

    form.addEventListener("click", function (event) {
      var add = event.target.closest("[data-add-line]");
      if (add) { addLine(add.getAttribute("data-sku"), add.getAttribute("data-title")); return; }
      var remove = event.target.closest("[data-remove-line]");
      if (remove) { remove.closest("[data-line]").remove(); recalc(); search.focus(); }
    });

    form.addEventListener("input", function (event) {
      if (event.target.matches("[name=line_unit_price]")) {
        savePrice(prices, event.target.closest("[data-line]").getAttribute("data-sku"), event.target.value.trim());
      }
      if (event.target.matches("[name=line_unit_price], [name=line_quantity]")) { recalc(); }
    });

    // Enter never submits by accident: it moves on (back to the scanner after a line); Ctrl+Enter submits.
    form.addEventListener("keydown", function (event) {
      var target = event.target;
      if (event.key !== "Enter" || target === search || target.tagName === "BUTTON" || target.tagName === "A") { return; }
      if (event.ctrlKey || event.metaKey) { event.preventDefault(); form.requestSubmit(); return; }
      if (target.tagName === "TEXTAREA") { return; }
      event.preventDefault();
      if (target.closest("[data-line]")) { search.focus(); return; }
      var fields = Array.prototype.filter.call(form.elements, function (element) {
        return !element.disabled && element.type !== "hidden" && !element.readOnly && element.offsetParent !== null &&
          element.tagName !== "FIELDSET" && !(element.type === "radio" && !element.checked && element !== target);
      });
      var next = fields[fields.indexOf(target) + 1];
      if (next) { next.focus(); }
    });

    function showAddress() {
      var checked = form.querySelector("[data-delivery] input:checked");
      var atStore = checked && (checked.value === "pickup" || checked.value === "taken_now");
      form.querySelector("[data-address-section]").hidden = Boolean(atStore);
    }
    form.addEventListener("change", function (event) {
      if (event.target.closest("[data-delivery]")) { showAddress(); }
    });
    showAddress();

    // After a smart paste, an empty customer name or phone takes the recipient's.
    document.body.addEventListener("htmx:load", function (event) {
      if (event.target.id !== "store-address") { return; }
      [["customer_name", "ship_name"], ["customer_phone", "ship_phone"]].forEach(function (pair) {
        var customer = form.querySelector("[name=" + pair[0] + "]");
        var recipient = form.querySelector("[name=" + pair[1] + "]");
        if (customer && recipient && !customer.value && recipient.value) { customer.value = recipient.value; }
      });
    });

    form.addEventListener("submit", function (event) {
      var button = form.querySelector("[data-submit-once]");
      if (form.getAttribute("data-submitting")) { event.preventDefault(); return; }
      form.setAttribute("data-submitting", "true");
      if (button) { button.setAttribute("aria-busy", "true"); }
    });

    recalc();
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-store-form]"), setup);
  });
})();
