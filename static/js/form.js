// The initiative form, improved when scripts run; everything works without them.
// - the error summary takes the focus, and its links move the focus to their field
//   (with the field's label or legend in view, as plain anchors cannot);
// - each field with a character limit counts what is left as the reader types.
(function () {
  "use strict";
  var summary = document.querySelector(".error-summary");
  if (summary) {
    if (document.activeElement !== summary) { summary.focus(); }
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      if (!link) { return; }
      var target = document.getElementById(link.getAttribute("href").slice(1));
      if (!target) { return; }
      event.preventDefault();
      var group = target.closest("fieldset.checkboxes");
      var caption = group ? group.querySelector("legend") :
        document.querySelector("label[for='" + target.id + "']");
      (caption || target).scrollIntoView();
      target.focus({ preventScroll: true });
      history.replaceState(null, "", "#" + target.id);
    });
  }
  var form = document.querySelector("form[data-count-left]");
  if (!form) { return; }
  var words = [form.getAttribute("data-count-left"), form.getAttribute("data-count-over")];
  document.querySelectorAll("[data-max]").forEach(function (field) {
    var count = document.querySelector(".char-count[data-for='" + field.id + "']");
    if (!count) { return; }
    var max = parseInt(field.getAttribute("data-max"), 10);
    var live = document.createElement("span");
    live.className = "visually-hidden";
    live.setAttribute("aria-live", "polite");
    count.after(live);
    var timer = null;
    function update() {
      var left = max - Array.from(field.value).length;
      var text = (left >= 0 ? words[0] : words[1]).replace("{n}", Math.abs(left));
      count.textContent = text;
      count.classList.toggle("char-count-over", left < 0);
      clearTimeout(timer);
      timer = setTimeout(function () { live.textContent = text; }, 1000);
    }
    field.addEventListener("input", update);
    update();
  });
})();
