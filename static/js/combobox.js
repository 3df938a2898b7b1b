// A <select class="country-select"> becomes a box the reader types in to filter its options:
// the WAI-ARIA Authoring Practices' editable combobox with list autocomplete (manual
// selection). Without this script the select works as it is; with it, the select stays in the
// form, hidden, and holds the value sent. The box takes the select's id, so its label and the
// error summary's link lead to it. Typing filters the options by name or code, ignoring case
// and accents ("etats" finds "États-Unis"); names starting with what was typed come first.
// Keys: Down and Up move through the list (Alt+Down opens it), Enter chooses, Escape closes
// the list (or, closed, puts back the chosen name). Leaving the box keeps a name typed in full
// (or the only one left); anything else empties the choice, and the form says so on sending.
(function () {
  "use strict";

  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().trim();
  }

  function enhance(select) {
    var options = Array.prototype.filter.call(select.options, function (o) { return o.value; })
      .map(function (o) {
        return { value: o.value, text: o.text, folded: fold(o.text), code: o.value.toLowerCase() };
      });
    var label = document.querySelector("label[for='" + select.id + "']");
    var wrapper = document.createElement("div");
    var input = document.createElement("input");
    var list = document.createElement("ul");
    var count = document.createElement("span");
    var id = select.id;
    select.id = id + "-select";
    select.hidden = true;
    select.tabIndex = -1;
    wrapper.className = "combobox";
    input.type = "text";
    input.id = id;
    input.className = "combobox-input";
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", id + "-listbox");
    input.setAttribute("autocomplete", "off");
    input.setAttribute("autocapitalize", "none");
    input.spellcheck = false;
    ["aria-describedby", "aria-invalid"].forEach(function (name) {
      if (select.hasAttribute(name)) { input.setAttribute(name, select.getAttribute(name)); }
    });
    list.id = id + "-listbox";
    list.className = "combobox-list";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", label ? label.textContent.trim() : id);
    list.hidden = true;
    count.className = "visually-hidden";
    count.setAttribute("aria-live", "polite");  // a live region, not the page's status
    count.setAttribute("aria-atomic", "true");
    select.parentNode.insertBefore(wrapper, select);
    wrapper.appendChild(input);
    wrapper.appendChild(list);
    wrapper.appendChild(count);
    var shown = [], active = -1, countTimer = null;

    function chosenText() {
      var option = select.options[select.selectedIndex];
      return option && option.value ? option.text : "";
    }
    input.value = chosenText();

    function matches(query) {
      var q = fold(query);
      if (!q) { return options.slice(); }
      var ranked = [];
      options.forEach(function (o, order) {
        var rank = o.folded.indexOf(q) === 0 || o.code === q ? 0 :
          (" " + o.folded.replace(/[-'’(),]/g, " ")).indexOf(" " + q) !== -1 ? 1 :
          o.folded.indexOf(q) !== -1 ? 2 : -1;
        if (rank !== -1) { ranked.push({ o: o, rank: rank, order: order }); }
      });
      ranked.sort(function (a, b) { return a.rank - b.rank || a.order - b.order; });
      return ranked.map(function (r) { return r.o; });
    }

    function announce(n) {
      clearTimeout(countTimer);
      countTimer = setTimeout(function () {
        var words = n ? select.getAttribute("data-found") : select.getAttribute("data-none");
        count.textContent = (words || "{n}").replace("{n}", n);
      }, 500);
    }

    function open(query) {
      shown = matches(query);
      active = -1;
      list.textContent = "";
      shown.forEach(function (o, i) {
        var item = document.createElement("li");
        item.id = id + "-option-" + i;
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", "false");
        item.textContent = o.text;
        list.appendChild(item);
      });
      list.hidden = shown.length === 0;
      input.setAttribute("aria-expanded", String(shown.length > 0));
      input.removeAttribute("aria-activedescendant");
      announce(shown.length);
    }

    function close() {
      list.hidden = true;
      active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }

    function highlight(index) {
      var items = list.children;
      if (!items.length) { return; }
      if (active >= 0 && items[active]) { items[active].setAttribute("aria-selected", "false"); }
      active = (index + items.length) % items.length;
      items[active].setAttribute("aria-selected", "true");
      input.setAttribute("aria-activedescendant", items[active].id);
      items[active].scrollIntoView({ block: "nearest" });
    }

    function choose(option) {
      var before = select.value;
      select.value = option ? option.value : "";
      input.value = option ? option.text : input.value;
      close();
      if (select.value !== before) {
        select.dispatchEvent(new Event("change", { bubbles: true }));
      }
    }

    // What was typed, when the box is left: a whole name (or the only name left) is chosen;
    // an empty box empties the choice; anything else too, and the form's check says so.
    function settle() {
      var q = fold(input.value);
      if (!q) { choose(null); return; }
      var exact = options.filter(function (o) { return o.folded === q || o.code === q; });
      var left = matches(input.value);
      if (exact.length || left.length === 1) { choose(exact[0] || left[0]); } else { choose(null); }
    }

    input.addEventListener("input", function () { open(input.value); });
    input.addEventListener("keydown", function (event) {
      var expanded = !list.hidden;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (!expanded) { open(input.value); if (event.altKey) { return; } }
        highlight(active + 1);
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        if (!expanded) { open(input.value); }
        highlight(active - 1);
      } else if (event.key === "Enter") {
        if (!expanded) { return; }  // the form's own Enter: save the draft
        event.preventDefault();
        if (active >= 0) { choose(shown[active]); } else if (shown.length === 1) { choose(shown[0]); }
      } else if (event.key === "Escape") {
        if (expanded) { event.preventDefault(); close(); } else { input.value = chosenText(); }
      }
    });
    list.addEventListener("mousedown", function (event) { event.preventDefault(); });
    list.addEventListener("click", function (event) {
      var item = event.target.closest("[role=option]");
      if (item) { choose(shown[Array.prototype.indexOf.call(list.children, item)]); }
    });
    input.addEventListener("blur", function () {
      if (!list.hidden || fold(input.value) !== fold(chosenText())) { settle(); }
      close();
    });
  }

  document.querySelectorAll("select.country-select").forEach(enhance);
})();
