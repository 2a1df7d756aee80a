/* The editor's forms, enhanced. Without this script they are plain forms that post and work.
 *
 * - The licence select shows the chosen licence's plain summary.
 * - Forms with a file (data-upload-form) send through XMLHttpRequest so that a progress bar
 *   can follow the upload; the server answers JSON (Accept: application/json): where to go
 *   next, or the errors to put next to the fields.
 * - Choosing a file asks the server what it holds (/dashboard/inspect): encoding, rows,
 *   columns and types, extent, problems; empty fields (name, format) are filled from it and
 *   stay editable. Nothing is saved until the form is sent.
 */
(function () {
  "use strict";

  document.querySelectorAll("[data-license-select]").forEach(function (select) {
    var summary = document.getElementById("license-summary");
    select.addEventListener("change", function () {
      var option = select.options[select.selectedIndex];
      summary.textContent = (option && option.getAttribute("data-summary")) || "";
    });
  });

  function showErrors(form, errors) {
    form.querySelectorAll(".field-message").forEach(function (node) { node.textContent = ""; });
    form.querySelectorAll("[aria-invalid]").forEach(function (node) { node.removeAttribute("aria-invalid"); });
    var summary = document.getElementById("form-errors");
    var others = [];
    Object.keys(errors).forEach(function (field) {
      var message = document.getElementById("error-" + field);
      var input = document.getElementById("f-" + field);
      if (message) message.textContent = errors[field].join(" ");
      else others = others.concat(errors[field]);
      if (input) input.setAttribute("aria-invalid", "true");
    });
    if (summary) {
      summary.textContent = "";
      var p = document.createElement("p");
      p.textContent = summary.getAttribute("data-message") || form.getAttribute("data-error-message") || "";
      summary.appendChild(p);
      others.forEach(function (text) {
        var item = document.createElement("p");
        item.textContent = text;
        summary.appendChild(item);
      });
      summary.hidden = false;
    }
    var first = form.querySelector("[aria-invalid=true]");
    if (first) first.focus();
  }

  document.querySelectorAll("form[data-upload-form]").forEach(function (form) {
    var box = form.querySelector(".upload-progress");
    var bar = form.querySelector("progress");
    var percent = form.querySelector(".upload-percent");
    var submit = form.querySelector("button[type=submit]");
    form.addEventListener("submit", function (event) {
      if (typeof FormData === "undefined" || typeof XMLHttpRequest === "undefined") return;
      event.preventDefault();
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.setRequestHeader("Accept", "application/json");
      var file = form.querySelector("input[type=file]");
      var sending = file && file.files && file.files.length > 0;
      if (sending) {
        box.hidden = false;
        bar.value = 0;
        percent.textContent = "0%";
      }
      xhr.upload.addEventListener("progress", function (e) {
        if (!e.lengthComputable) return;
        var value = Math.round((e.loaded / e.total) * 100);
        bar.value = value;
        percent.textContent = value + "%";
      });
      xhr.addEventListener("load", function () {
        submit.disabled = false;
        var body = null;
        try { body = JSON.parse(xhr.responseText); } catch (e) { body = null; }
        if (xhr.status < 300 && body && body.redirect) {
          window.location.assign(body.redirect);
          return;
        }
        box.hidden = true;
        if (body && body.errors) showErrors(form, body.errors);
        else if (body && body.error) showErrors(form, { upload: [body.error] });
        else showErrors(form, { upload: [form.getAttribute("data-failed-message")] });
      });
      xhr.addEventListener("error", function () {
        submit.disabled = false;
        box.hidden = true;
        showErrors(form, { upload: [form.getAttribute("data-failed-message")] });
      });
      submit.disabled = true;
      xhr.send(new FormData(form));
    });
  });

  function element(tag, text) {
    var node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function describe(box, found, filled) {
    var info = found.inspection;
    box.textContent = "";
    box.appendChild(element("h3", box.getAttribute("data-title")));
    var facts = element("p");
    var parts = [(info.format || "?").toUpperCase()];
    if (info.encoding) parts.push(box.getAttribute("data-encoding") + ": " + info.encoding);
    parts.push(info.row_count + " " + box.getAttribute("data-rows"));
    facts.textContent = parts.join(" · ");
    box.appendChild(facts);
    if (info.columns && info.columns.length) {
      box.appendChild(element("h4", box.getAttribute("data-columns")));
      var list = element("ul");
      list.className = "inspect-columns";
      info.columns.forEach(function (column) {
        list.appendChild(element("li", column.name + " (" + column.type + ")"));
      });
      box.appendChild(list);
    }
    if (info.bbox) box.appendChild(element("p", box.getAttribute("data-extent") + ": " + info.bbox.join(", ")));
    if (info.temporal) box.appendChild(element("p", box.getAttribute("data-period") + ": " + info.temporal.start + " – " + info.temporal.end));
    var tags = (found.suggested && found.suggested.dataset && found.suggested.dataset.tags) || [];
    if (tags.length) {
      box.appendChild(element("p", box.getAttribute("data-tags") + ": " + tags.map(function (t) { return t.name || t; }).join(", ")));
    }
    var problems = info.problems || [];
    if (problems.length) {
      box.appendChild(element("h4", box.getAttribute("data-problems")));
      var shown = element("ul");
      problems.slice(0, 10).forEach(function (p) {
        var lang = document.documentElement.lang === "ja" ? p.message_ja : p.message;
        shown.appendChild(element("li", lang || p.message));
      });
      box.appendChild(shown);
    }
    if (filled.length) box.appendChild(element("p", box.getAttribute("data-filled") + " " + filled.join(", ")));
    box.hidden = false;
  }

  document.querySelectorAll("#inspect-suggestions[data-url]").forEach(function (box) {
    var form = box.closest("form");
    var input = form && form.querySelector("input[type=file]");
    if (!input || typeof FormData === "undefined" || typeof fetch === "undefined") return;
    input.addEventListener("change", function () {
      var file = input.files && input.files[0];
      if (!file || file.size > Number(box.getAttribute("data-max-bytes"))) { box.hidden = true; return; }
      var body = new FormData();
      body.append("csrf_token", form.querySelector("input[name=csrf_token]").value);
      body.append("upload", file, file.name);
      box.textContent = box.getAttribute("data-checking");
      box.hidden = false;
      fetch(box.getAttribute("data-url"), {
        method: "POST", body: body, credentials: "same-origin", headers: { "Accept": "application/json" }
      }).then(function (response) {
        return response.ok ? response.json() : null;
      }).then(function (found) {
        if (!found || !found.inspection) { box.hidden = true; return; }
        var resource = (found.suggested && found.suggested.resource) || {};
        var filled = [];
        ["name", "format"].forEach(function (field) {
          var target = form.querySelector("[name=" + field + "]");
          if (target && !target.value && resource[field]) {
            target.value = resource[field];
            filled.push(form.querySelector("label[for=" + target.id + "]").textContent.trim());
          }
        });
        describe(box, found, filled);
      }).catch(function () { box.hidden = true; });
    });
  });
})();
