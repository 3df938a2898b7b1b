// Saves a draft in the background as its writer types; without this script the form's "Save
// draft" button does the same. The whole form (its CSRF token and the version it was made
// from included) is posted to data-autosave two seconds after the last keystroke, and at once
// when the focus leaves a section or the page is hidden. The server saves a draft through the
// edit action, never submits it, and refuses a stale version: the writer is then told, and
// nothing more is sent, so neither their text nor the other person's change is lost.
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave]");
  var status = document.getElementById("autosave-status");
  if (!form || !status || !window.fetch || !window.FormData) { return; }
  var PAUSE = 2000;
  status.textContent = status.getAttribute("data-intro");  // said once, not announced
  status.hidden = false;
  var timer = null, sending = null, dirty = false, stopped = false, held = null;

  function say(text, kind) {
    status.hidden = false;
    status.className = "autosave-status" + (kind ? " autosave-" + kind : "");
    status.setAttribute("aria-live", kind === "error" ? "assertive" : "polite");
    status.textContent = text;
  }

  function now() {
    var d = new Date();
    return ("0" + d.getHours()).slice(-2) + ":" + ("0" + d.getMinutes()).slice(-2);
  }

  function versionInput() {
    return form.querySelector("input[name='version']");
  }

  // The record moved to a new version: every form of this page that holds the old one (the
  // form itself, its media forms) now sends the new one.
  function moveVersion(before, after) {
    document.querySelectorAll("input[name='version']").forEach(function (input) {
      if (input.value === String(before)) { input.value = String(after); }
    });
  }

  // A new record's first save made a draft: from now on the page is that draft's edit page.
  function becomeDraft(answer) {
    var input = document.createElement("input");
    input.type = "hidden";
    input.name = "version";
    input.value = String(answer.version);
    form.insertBefore(input, form.firstChild);
    form.action = answer.edit_url;
    form.setAttribute("data-autosave", answer.autosave_url);
    history.replaceState(null, "", answer.edit_url);
  }

  function explain(answer) {
    var texts = [];
    Object.keys(answer.errors || {}).forEach(function (name) {
      texts = texts.concat(answer.errors[name]);
    });
    return [answer.message].concat(texts.slice(0, 3)).join(" ");
  }

  function save(keepalive) {
    clearTimeout(timer);
    if (stopped || !dirty) { return sending || Promise.resolve(); }
    if (sending) { return sending.then(function () { return save(keepalive); }); }
    dirty = false;
    var input = versionInput();
    var before = input ? input.value : null;
    say(form.getAttribute("data-autosave-saving"));
    sending = fetch(form.getAttribute("data-autosave"), {
      method: "POST", body: new FormData(form), credentials: "same-origin",
      headers: { "Accept": "application/json" }, keepalive: !!keepalive
    }).then(function (response) {
      return response.json().then(function (answer) {
        if (response.ok) {
          if (before === null) { becomeDraft(answer); } else { moveVersion(before, answer.version); }
          say(form.getAttribute("data-autosave-saved").replace("{time}", now()), "saved");
        } else if (response.status === 422) {
          say(explain(answer), "warning");  // still being written: tried again at the next pause
        } else {
          stopped = true;  // stale, or no longer a draft: nothing more is sent
          say(explain(answer), "error");
        }
      });
    }).catch(function () {
      dirty = true;
      say(form.getAttribute("data-autosave-failed"), "error");
    }).then(function () {
      sending = null;
      if (dirty && !stopped) { timer = setTimeout(save, PAUSE); }
    });
    return sending;
  }

  function changed(event) {
    if (event.target.type === "file") { return; }
    dirty = true;
    clearTimeout(timer);
    timer = setTimeout(save, PAUSE);
  }
  form.addEventListener("input", changed);
  form.addEventListener("change", changed);

  // Leaving a section saves at once, unless for one of the form's buttons: pressing it sends
  // the form anyway, and a save starting under the pointer would change the status's text,
  // and with it the page's height, between the press and the release.
  function isButton(element) {
    return !!(element && element.closest && element.closest("button[type=submit]"));
  }
  form.addEventListener("focusout", function (event) {
    var section = event.target.closest && event.target.closest(".form-section");
    var next = event.relatedTarget;
    if (!section || (next && section.contains(next))) { return; }
    if (isButton(next)) { clearTimeout(timer); return; }
    save();
  });
  form.addEventListener("pointerdown", function (event) {
    if (isButton(event.target)) { clearTimeout(timer); }
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") { save(true); }
  });

  // A button pressed while a background save is on its way waits for it, so the form carries
  // the version that save made (and a new record is not created twice).
  // Once the form is on its way, nothing more is sent in the background (the page being hidden
  // as it unloads would otherwise save a new record a second time).
  form.addEventListener("submit", function (event) {
    clearTimeout(timer);
    if (!sending || held) { stopped = true; return; }
    event.preventDefault();
    held = event.submitter || null;
    sending.then(function () {
      var button = held;
      held = null;
      if (form.requestSubmit) { form.requestSubmit(button); } else { form.submit(); }
    });
  });
})();
