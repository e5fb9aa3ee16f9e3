// Siyu console: confirmations before destructive actions, the admin's corp switch, and the
// campaign compose page (fields of the chosen kind, live audience count and contact-budget
// preview), the service account's reply and menu editors. No libraries.
(function () {
  "use strict";

  // A form with data-confirm asks before it is sent (deletes).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  });

  // A select with data-autosubmit sends its form when changed.
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.hasAttribute && target.hasAttribute("data-autosubmit") && target.form) target.form.submit();
  });

  // Bulk selection in a list: "select this page" and a live count of what is ticked.
  Array.prototype.forEach.call(document.querySelectorAll("[data-bulk]"), function (form) {
    var all = form.querySelector("[data-select-all]");
    var count = form.querySelector("[data-bulk-count]");
    if (!all || !count) return;
    var boxes = form.querySelectorAll('input[name="ids"]');
    function update() {
      var ticked = Array.prototype.filter.call(boxes, function (box) { return box.checked; }).length;
      count.textContent = ticked ? count.getAttribute("data-template").replace("{n}", ticked) : count.getAttribute("data-template").replace("{n}", 0);
      all.checked = ticked === boxes.length && ticked > 0;
    }
    all.addEventListener("change", function () {
      Array.prototype.forEach.call(boxes, function (box) { box.checked = all.checked; });
      update();
    });
    form.addEventListener("change", function (event) { if (event.target.name === "ids") update(); });
  });

  // Copy buttons (a channel's link).
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-copy]");
    if (!button || !navigator.clipboard) return;
    navigator.clipboard.writeText(button.getAttribute("data-copy")).then(function () {
      button.textContent = button.getAttribute("data-copied") || button.textContent;
    });
  });

  // Member pickers: typing filters the list by name, department or id; the summary names who is chosen.
  Array.prototype.forEach.call(document.querySelectorAll("[data-picker]"), function (picker) {
    var search = picker.querySelector("[data-picker-search]");
    var summary = picker.querySelector("[data-picker-summary]");
    var options = picker.querySelectorAll("[data-picker-text]");
    search.addEventListener("input", function () {
      var words = search.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
      Array.prototype.forEach.call(options, function (option) {
        var text = option.getAttribute("data-picker-text").toLowerCase();
        option.hidden = !words.every(function (word) { return text.indexOf(word) >= 0; });
      });
    });
    // Enter in the search box picks the only match instead of sending the form.
    search.addEventListener("keydown", function (event) {
      if (event.key !== "Enter") return;
      event.preventDefault();
      var visible = Array.prototype.filter.call(options, function (option) { return !option.hidden; });
      if (visible.length === 1) { var box = visible[0].querySelector("input"); box.checked = true; box.dispatchEvent(new Event("change", { bubbles: true })); }
    });
    picker.addEventListener("change", function () {
      var names = Array.prototype.filter.call(picker.querySelectorAll("input[type=checkbox], input[type=radio]"), function (box) { return box.checked; })
        .map(function (box) { return box.parentNode.childNodes[1].textContent.trim(); });
      summary.textContent = names.length ? summary.getAttribute("data-chosen") + names.join("、") : summary.getAttribute("data-empty");
    });
  });

  // The audience builder: the chosen conditions (or the typed expression) are counted live on
  // the server, which writes the expression; an error points at its place in the expression.
  function byteOffsetToIndex(text, offset) {
    var encoder = new TextEncoder();
    for (var index = 0; index <= text.length; index++) {
      if (encoder.encode(text.slice(0, index)).length >= offset) return index;
    }
    return text.length;
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-builder]"), function (builder) {
    var form = builder.closest("form");
    var countNode = builder.querySelector("[data-builder-count]");
    var expressionNode = builder.querySelector("[data-builder-expression]");
    var errorNode = builder.querySelector("[data-builder-error]");
    var textarea = builder.querySelector("[data-expression]");
    var timer = null;
    var sequence = 0;
    var latest = textarea.value;

    function mode() {
      var checked = builder.querySelector('input[name="segment_mode"]:checked');
      return checked ? checked.value : "builder";
    }

    function showMode() {
      Array.prototype.forEach.call(builder.querySelectorAll("[data-mode]"), function (node) {
        node.hidden = node.getAttribute("data-mode") !== mode();
      });
    }

    function count() {
      var mine = ++sequence;
      fetch(builder.getAttribute("data-count"), {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/x-www-form-urlencoded", "X-CSRF-Token": builder.getAttribute("data-csrf") },
        body: new URLSearchParams(new FormData(form)).toString()
      }).then(function (response) {
        return response.json().then(function (json) { return { ok: response.ok, json: json }; });
      }).then(function (answer) {
        if (mine !== sequence) return;
        if (answer.ok && !answer.json.error) {
          latest = answer.json.expression;
          countNode.textContent = answer.json.count_label;
          expressionNode.textContent = answer.json.expression;
          errorNode.hidden = true;
          builder.dispatchEvent(new CustomEvent("segment", { detail: answer.json, bubbles: true }));
        } else {
          var error = answer.json.error || { message: String(answer.json) };
          countNode.textContent = "–";
          expressionNode.textContent = "";
          errorNode.textContent = error.message;
          errorNode.hidden = false;
          if (error.offset !== undefined && mode() === "expression") {
            var at = byteOffsetToIndex(textarea.value, error.offset);
            textarea.setSelectionRange(at, Math.min(textarea.value.length, at + 1));
          }
          builder.dispatchEvent(new CustomEvent("segment-error", { detail: error, bubbles: true }));
        }
      });
    }

    function schedule() {
      clearTimeout(timer);
      timer = setTimeout(count, 300);
    }

    builder.addEventListener("change", function (event) {
      // Switching to the expression starts from what the builder wrote.
      if (event.target.name === "segment_mode" && mode() === "expression") textarea.value = latest;
      showMode();
      schedule();
    });
    builder.addEventListener("input", function (event) {
      if (event.target.hasAttribute("data-picker-search")) return;
      schedule();
    });
    showMode();
    count();
  });

  // Service account replies and menu: only the fields of the chosen reply type or button type
  // show (without a script every field shows); the phone preview follows the names as typed.
  function showFor(select, attribute) {
    var scope = select.closest("[data-reply], .menu-row");
    Array.prototype.forEach.call(scope.querySelectorAll("[" + attribute + "]"), function (node) {
      node.hidden = node.getAttribute(attribute).split(" ").indexOf(select.value) < 0;
    });
  }
  Array.prototype.forEach.call(document.querySelectorAll("[data-reply-type]"), function (select) { showFor(select, "data-reply-for"); });
  Array.prototype.forEach.call(document.querySelectorAll("[data-menu-type]"), function (select) { showFor(select, "data-menu-for"); });
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (!target.hasAttribute) return;
    if (target.hasAttribute("data-reply-type")) showFor(target, "data-reply-for");
    if (target.hasAttribute("data-menu-type")) showFor(target, "data-menu-for");
  });
  var menuForm = document.querySelector("[data-menu-form]");
  if (menuForm) {
    menuForm.addEventListener("input", function (event) {
      if (!event.target.hasAttribute("data-preview-source")) return;
      var name = event.target.value.trim();
      Array.prototype.forEach.call(document.querySelectorAll('[data-preview="' + event.target.name + '"]'), function (node) {
        node.textContent = name;
        if (node.tagName === "LI") node.hidden = !name;
      });
      var item = document.querySelector('[data-preview-item="' + event.target.name.replace(/name$/, "") + '"]');
      if (item) item.hidden = !name;
    });
  }

  var compose = document.getElementById("compose");
  if (!compose) return;
  var status = compose.parentNode.querySelector("[data-preview-status]");
  var fieldError = compose.querySelector("[data-preview-error]");
  var reasons = compose.parentNode.querySelector("[data-reasons]");
  var timer = null;
  var sequence = 0;

  function figure(name, value) {
    var node = compose.parentNode.querySelector('[data-figure="' + name + '"]');
    if (node) node.textContent = value;
  }

  function total(list) {
    return list.reduce(function (sum, item) { return sum + item.count; }, 0);
  }

  function show(result) {
    fieldError.hidden = true;
    status.textContent = result.expression + " · " + result.send_at;
    // Nothing goes out at the send time (quiet hours): say when it will.
    if (result.send === 0 && result.hold_until) {
      status.textContent += " · " + status.getAttribute("data-held").replace("{time}", result.hold_until);
    }
    figure("audience", result.audience);
    figure("send", result.send);
    figure("hold", total(result.hold));
    figure("skip", total(result.skip));
    figure("senders", result.senders);
    figure("calls", result.calls);
    reasons.textContent = "";
    result.hold.concat(result.skip).forEach(function (item) {
      var li = document.createElement("li");
      li.textContent = item.label + ": " + item.count;
      reasons.appendChild(li);
    });
  }

  function fail(error) {
    fieldError.textContent = status.getAttribute("data-error") + " " + error.message;
    fieldError.hidden = false;
    status.textContent = "";
    ["audience", "send", "hold", "skip", "senders", "calls"].forEach(function (name) { figure(name, "–"); });
    reasons.textContent = "";
  }

  var audienceNow = "";
  compose.addEventListener("segment", function (event) { audienceNow = event.detail.expression; schedule(); });
  compose.addEventListener("segment-error", function () { audienceNow = ""; });

  function preview() {
    var audience = audienceNow;
    if (!audience) return;
    var mine = ++sequence;
    status.textContent = status.getAttribute("data-loading");
    var body = { audience: audience };
    if (compose.elements.send_at.value) body.send_at = compose.elements.send_at.value;
    fetch(compose.getAttribute("data-preview"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": compose.getAttribute("data-csrf") },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().then(function (json) { return { ok: response.ok, json: json }; });
    }).then(function (answer) {
      if (mine !== sequence) return;
      if (answer.ok && !answer.json.error) show(answer.json); else fail(answer.json.error || { message: String(answer.json) });
    }).catch(function (error) {
      if (mine === sequence) fail({ message: String(error) });
    });
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(preview, 350);
  }

  // Only the fields of the chosen kind show; the preview counts message audiences.
  function kind() {
    var checked = compose.querySelector('input[name="kind"]:checked');
    return checked ? checked.value : "message";
  }

  function showKind() {
    var chosen = kind();
    Array.prototype.forEach.call(document.querySelectorAll("[data-kind]"), function (node) {
      node.hidden = node.getAttribute("data-kind").split(" ").indexOf(chosen) < 0;
    });
  }

  compose.addEventListener("input", function (event) {
    if (event.target.name === "kind") showKind();
    if (kind() === "message" && event.target.name === "send_at") schedule();
  });
  compose.addEventListener("change", function (event) {
    if (event.target.name === "kind") { showKind(); if (kind() === "message") schedule(); }
  });
  showKind();
})();
