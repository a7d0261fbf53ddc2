// Content library: X's weighted character count, and sharing without leaving the page half-done.
// Everything works without JavaScript: share forms then post and redirect as usual.
(function () {
  "use strict";

  // X counts most characters as 2 and these ranges as 1, each URL as 23 and each emoji as 2.
  var LIGHT = [[0, 4351], [8192, 8205], [8208, 8223], [8242, 8247]];
  var EMOJI_PART = "[\\u2600-\\u27bf\\u{1f000}-\\u{1faff}]\\ufe0f?[\\u{1f3fb}-\\u{1f3ff}]?";
  var TOKEN = new RegExp("(https?:\\/\\/\\S+|\\bwww\\.\\S+)|([\\u{1f1e6}-\\u{1f1ff}]{2}|" + EMOJI_PART +
    "(?:\\u200d" + EMOJI_PART + ")*)", "giu");

  function weight(text) {
    var total = 0;
    Array.from(text).forEach(function (ch) {
      var code = ch.codePointAt(0);
      var light = LIGHT.some(function (r) { return code >= r[0] && code <= r[1]; });
      total += light ? 1 : 2;
    });
    return total;
  }

  function xLength(text) {
    text = (text || "").normalize("NFC");
    var total = 0;
    var position = 0;
    var match;
    TOKEN.lastIndex = 0;
    while ((match = TOKEN.exec(text)) !== null) {
      total += weight(text.slice(position, match.index));
      total += match[1] ? 23 : 2;
      position = match.index + match[0].length;
    }
    return total + weight(text.slice(position));
  }

  function updateX(box) {
    var target = document.getElementById(box.getAttribute("data-x-count-target"));
    if (!target) { return; }
    var limit = parseInt(box.getAttribute("data-x-limit") || "280", 10);
    var used = xLength(box.value.trim()) + parseInt(box.getAttribute("data-x-extra") || "0", 10);
    target.textContent = used + " / " + limit;
    target.classList.toggle("text-danger", used > limit);
  }

  document.querySelectorAll("[data-x-count-target]").forEach(function (box) {
    box.addEventListener("input", function () { updateX(box); });
    updateX(box);
  });

  // Copy to the clipboard when the browser allows it; never wait more than a second.
  function copyText(text) {
    if (!navigator.clipboard || !navigator.clipboard.writeText) { return Promise.resolve(false); }
    var timeout = new Promise(function (resolve) { window.setTimeout(function () { resolve(false); }, 1000); });
    var write = navigator.clipboard.writeText(text).then(function () { return true; }, function () { return false; });
    return Promise.race([write, timeout]);
  }

  function say(form, text, danger) {
    var status = form.querySelector(".share-status");
    if (!status) { return; }
    status.textContent = text;
    status.classList.toggle("text-danger", !!danger);
    status.classList.toggle("text-success", !danger);
  }

  // Share forms: ask the server for the tracked link and the final text (disclosure added there),
  // copy the text for networks that only take a link, then go to the network's share page.
  document.querySelectorAll("form[data-share-form]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.fetch || !window.FormData) { return; }
      event.preventDefault();
      var data = new FormData(form);
      if (event.submitter && event.submitter.name) {
        data.set(event.submitter.name, event.submitter.value);
      }
      var network = data.get("network");
      fetch(form.action, {method: "POST", body: data, credentials: "same-origin",
                          headers: {"Accept": "application/json"}})
        .then(function (response) {
          return response.json().then(function (body) { return {ok: response.ok, body: body}; });
        })
        .then(function (result) {
          if (!result.ok) {
            var missing = (result.body.missing || []).map(function (gap) { return gap.label; }).join("; ");
            say(form, (result.body.error || form.getAttribute("data-msg-failed")) + (missing ? " " + missing : ""), true);
            return;
          }
          var body = result.body;
          if (network === "x") {
            window.location.assign(body.intent_url);
            return;
          }
          copyText(body.text).then(function (copied) {
            if (network === "copy") {
              var box = form.querySelector("textarea");
              box.value = body.text;
              box.readOnly = true;
              box.select();
              say(form, form.getAttribute(copied ? "data-msg-copied" : "data-msg-select"), false);
              return;
            }
            window.location.assign(body.intent_url);
          });
        })
        .catch(function () { form.submit(); });
    });
  });

  // "Copy" buttons: <button data-copy-from="textarea-id">.
  document.querySelectorAll("[data-copy-from]").forEach(function (button) {
    button.addEventListener("click", function () {
      var box = document.getElementById(button.getAttribute("data-copy-from"));
      box.select();
      copyText(box.value).then(function (copied) {
        button.textContent = copied ? "✓" : button.textContent;
      });
    });
  });
})();
